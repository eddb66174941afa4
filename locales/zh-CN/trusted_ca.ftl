# 探测所信任的 CA（src/settings/trusted_ca.rs、src/settings/words.rs、代理部分）：字段、已保存列表以及每种拒绝；变量与英文相同。拒绝消息从不引用粘贴的文本。

ca-label = 探测信任的 CA
ca-hint = PEM 格式证书（-----BEGIN CERTIFICATE-----），例如执行 TLS 检查的代理的 CA；每次测试在系统 CA 之外还信任它们。粘贴的证书会添加到已保存的证书中。
ca-file-pick = 读取 .pem 或 .crt 文件
ca-valid-until = 有效期至
ca-expired = 已过期：测试无法使用
ca-remove = 移除
ca-placeholder = -----BEGIN CERTIFICATE-----
ca-change-added = 已添加信任的 CA
ca-change-removed = 已移除信任的 CA
ca-too-large = 粘贴的文本超过 { $max } KiB；请只粘贴 CA 证书。
ca-not-pem = 这不是 PEM：请粘贴以 -----BEGIN CERTIFICATE----- 开头的证书。
ca-private-key = 第 { $block } 块是私钥：未保存，也不会再显示。请粘贴 CA 的证书，切勿粘贴密钥。
ca-not-certificate = 第 { $block } 块是“{ $label }”，不是证书。
ca-bad-pem = 第 { $block } 块不是格式正确的 PEM（缺少 END 行或不是 base64）。
ca-not-x509 = 第 { $block } 块不是 X.509 证书。
ca-expired-refused = 第 { $block } 块（{ $subject }）已于 { $date } 过期；信任它的探测会失败。请粘贴当前的 CA 证书。
ca-not-yet-valid = 第 { $block } 块（{ $subject }）在 { $date } 之前无效。
ca-not-an-anchor = 第 { $block } 块（{ $subject }）不能用作信任锚。
ca-too-many = 最多可信任 { $max } 个 CA 证书；请先移除一些。
