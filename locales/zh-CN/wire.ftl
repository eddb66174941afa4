# 页面上的线路记录（src/web/probe_view.rs、templates/probe_result.html）：
# 与代理之间的套接字上发生的一切，类似 tcpdump。

wire-title = 数据包（类似 tcpdump）
wire-count = 代理套接字上共 { $count } 个事件
wire-caption = 与代理的连接上每一次读、写、握手、FIN 和 RST，以及距测试开始的时间。只记录字节数：不保存任何请求头和数据内容。
wire-col-time = 时间
wire-col-direction = 方向
wire-col-ends = 源 → 目的
wire-col-event = 事件
wire-col-bytes = 字节
wire-col-note = 说明
wire-dir-out = 发送
wire-dir-in = 接收
wire-dir-local = 本机
wire-kind-connect = TCP 握手完成
wire-kind-connect_failed = TCP 握手失败
wire-kind-write = 写入
wire-kind-read = 读取
wire-kind-response_head = 代理的响应头
wire-kind-tls_handshake = TLS 握手完成
wire-kind-tls_alert = 服务器发来 TLS 警报
wire-kind-fin = FIN（连接结束）
wire-kind-rst = RST（连接被重置）
wire-kind-error = 套接字错误
wire-kind-timeout = 已到时间限制
wire-kind-close = 套接字已关闭
wire-omitted = 另有 { $count } 个事件（{ $bytes } B）未列出
