# 支持包（src/support_bundle.rs）：README 供支持工程师阅读，始终使用英文；此处为其译文（保持变量一致），以及页面上的链接。

support-readme =
    fmc-mgmt 支持包
    fmc-mgmt { $version }，生成于 { $at }（UTC）。
    
    机密信息已屏蔽：任何文件中都不含代理密码（已存储或输入的）、API 令牌、会话 ID、管理员密码哈希或密钥；
    每个修订版本只标明 password_set。
    
    README.txt        本文件
    last-test.json    最近一次测试连接：时间、执行者、测试的值以及每份报告
    last-test.txt     与 `fmc-mgmt probe` 输出相同的逐阶段报告
    iprep_proxy.conf  找到的代理文件（不跟随链接）；密码语句已屏蔽
    netstat.txt       到代理的 TCP 连接，与“诊断”面板显示的一致
    host.json         主机名、接口（地址、MTU、状态）、默认路由、DNS
    revisions.json    代理设置最近的 { $revisions } 个修订版本，最新的在前
    tests.json        最近的 { $tests } 次测试，最新的在前
support-readme-tests-cut =
    {""}
    tests.json 仅包含最新的 { $kept } 次测试：支持包保持在 { $limit } MiB 以内。
support-readme-no-conf =
    {""}
    未包含 iprep_proxy.conf：{ $why }。

page-support-bundle = 下载支持包
page-action-support-bundle = 下载支持包
web-support-bundle-failed = 无法生成支持包；请查看服务器日志。
audit-support-bundle = 已下载支持包：{ $tests } 次测试，{ $bytes } 字节
support-no-test = 尚未运行任何测试。
support-test-heading = 测试 { $id }，时间 { $at }，执行者 { $actor }
