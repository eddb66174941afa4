# web 层（页面、表单、守卫）的文字；变量与英文相同。

web-page-unavailable = 此页面不可用。未更改任何内容。
web-no-such-page = 此地址没有页面。
web-assets-no-such-file = 没有此文件

web-form-too-large-for-proxy = 表单过大，不是代理表单；未保存任何内容。
web-form-unreadable-quoting = 无法读取表单：{ $why }
web-form-unreadable = 无法读取表单：请求正文不完整或在传输中断开。未保存任何内容；请重新加载页面后重试。
web-form-not-urlencoded = 请像本页面一样以 application/x-www-form-urlencoded 格式发送表单。
web-form-invalid = 此请求不是有效的代理表单：{ $why }。未保存任何内容；请重新加载页面后重试。
web-form-field-not-utf8 = 表单字段“{ $field }”不是有效的 UTF-8 文本
web-form-field-twice = 表单多次发送了字段“{ $field }”
web-form-field-missing = 表单缺少字段 { $fields }
web-form-fields-missing = 表单缺少字段 { $fields }
web-form-field-not-a-checkbox = 字段“{ $field }”必须是复选框的值（“on”），而不是“{ $value }”
web-form-field-not-a-number = 字段“{ $field }”必须是整数

web-guard-cross-site = 此请求来自其他站点（其 Origin 不是本服务器）。未更改任何内容。
web-guard-api-origin-missing = 使用会话的 API 写操作必须发送同源的 Origin 标头。
web-guard-api-csrf-missing = API 写操作需要在 X-CSRF-Token 标头中携带会话的 CSRF 令牌。
web-guard-form-too-large = 表单过大，不是本页面的表单；未保存任何内容。
web-guard-csrf-token-stale = 表单的安全令牌缺失或已过期（页面是否在注销后仍保持打开？）。未保存任何内容；请重新加载页面后重试。

web-login-form-expired = 登录表单已过期或来自其他位置。请重新登录。
web-login-invalid = 用户名或密码无效。
web-login-locked = 此用户或地址的登录失败次数过多。登录已锁定；请在 { $seconds } 秒后重试。
web-login-address-busy = 正在检查来自您地址的另一次登录。请稍后重试。
web-login-server-busy = 服务器正忙于检查其他登录。请稍后重试。

web-language-unknown = 请选择 English、简体中文或跟随浏览器。

web-token-name-invalid = 请为令牌命名（1–64 个字符，例如使用它的脚本）。
web-token-lifetime-invalid = 请选择令牌的有效期：30、90 或 365 天，或永不过期。

web-flash-saved = 已保存。代理设置现在是修订版本 { $revision }。
web-flash-rolled-back = 已回滚：修订版本 { $revision } 恢复了修订版本 { $target } 的设置。
web-save-file-not-written = 无法写入 { $path }（{ $why }）
web-save-not-written = 未保存：{ $why }。数据库未更改；解决此问题后请再次保存。
web-save-anyway-retype = 未保存：测试前您输入了新密码。请再次输入以仍然保存，否则将保留已存储的密码。
web-history-no-such-revision = 不存在修订版本 { $revision }。
web-history-cannot-restore = 无法恢复修订版本 { $revision }：{ $why }
web-history-stale = 未回滚：加载此列表后又保存了修订版本 { $current }。请检查列表后重试。
web-history-not-written = 未回滚：{ $why }。数据库未更改。

web-probe-result-not-shown = 无法显示结果；请查看服务器日志。
