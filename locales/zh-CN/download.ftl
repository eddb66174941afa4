# 下载阶段（--download，或标记为下载的目标）：GET 该 URL，读取完整响应体（最多 --max-filesize），
# 以及响应体不完整时的两种诊断。

page-stage-download = 下载

# 阶段详情。
probe-download-get-status = GET { $path } -> { $status }
probe-download-read = { $status }：{ $secs } 秒内收到 { $bytes } 字节（{ $human }），{ $rate }/秒
probe-download-read-of = { $status }：{ $secs } 秒内收到 { $bytes } / { $expected } 字节（{ $human }），{ $rate }/秒
probe-download-limited = { $status }：收到 { $bytes } 字节（{ $human }，{ $secs } 秒，{ $rate }/秒）后达到 --max-filesize 上限而停止；其余部分未读取
probe-download-stalled = { $status }：收到 { $received } 后，{ $limit }内没有数据到达
probe-download-closed = { $status }：收到 { $received } 后连接结束
probe-download-failed = { $status }：收到 { $received } 后读取响应体失败：{ $why }
probe-download-malformed = { $status }：收到 { $received } 后，分块响应体格式错误：{ $why }
probe-download-get-could-not-be-sent-why = 无法发送 GET：{ $why }
probe-download-get-could-not-be-sent-within = { $limit }内无法发送 GET
probe-download-not-run-closed = 未运行：服务器在应答后关闭了连接，没有可用于下载的连接

# 诊断。
diagnosis-received = { $bytes } 字节
diagnosis-received-of = { $bytes } / { $expected } 字节
diagnosis-transfer-stalled-summary = 从 { $target } 的下载开始后停止了：收到 { $received } 后，{ $read_timeout } 秒内再没有数据到达。出口对请求是通的，但这次传输在途中被阻滞。
diagnosis-transfer-stalled-hint = 本设备与 { $target } 之间有设备阻滞了传输：TLS 检测或内容扫描代理在转发前缓存整个文件，或者代理对传输有大小或时间限制。请代理管理员将 { $target } 排除在检测之外，并检查代理的限制和此请求的日志；`curl -x … -o /dev/null` 会出现同样的停滞。
diagnosis-transfer-truncated-summary = 从 { $target } 的下载被截断：收到 { $received } 后连接结束。
diagnosis-transfer-truncated-hint = 代理的大小限制（例如 squid 的 reply_body_max_size）、检测引擎或传输时间限制提前结束了传输。请代理管理员为 { $target } 提高大小或时间限制，或将其排除在检测之外，并检查代理中此请求的日志。
