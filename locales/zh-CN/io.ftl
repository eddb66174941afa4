# 操作系统错误（src/i18n/io_reason.rs）；变量与英文相同。

# 一类错误及其 OS 错误号。
io-reason-with-number = { $reason }（OS 错误 { $number }）
io-connection-refused = 连接被拒绝
io-connection-reset = 连接被对端重置
io-connection-aborted = 连接被中止
io-broken-pipe = 连接已断开
io-timed-out = 操作超时
io-host-unreachable = 主机不可达
io-network-unreachable = 网络不可达
io-network-down = 网络已关闭
io-unexpected-eof = 连接意外结束
io-not-connected = 连接未建立或已关闭
io-addr-not-available = 地址不可用
io-addr-in-use = 地址已被占用
io-permission-denied = 权限被拒绝
io-not-found = 文件或目录不存在
io-read-only-filesystem = 只读文件系统
io-storage-full = 设备上没有剩余空间
io-quota-exceeded = 超出磁盘配额
io-already-exists = 文件已存在
io-is-a-directory = 是一个目录
io-not-a-directory = 不是目录
io-directory-not-empty = 目录不为空
io-file-too-large = 文件过大
io-interrupted = 操作被中断
io-out-of-memory = 内存不足
