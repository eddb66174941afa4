# server 模块的文字；变量与英文相同。

server-db-the-database-is-locked-by-another = 数据库被另一个进程锁定（已超过 5 秒的忙等待超时）；请找出占用它的进程后重试
server-db-the-database-is-read-only-check = 数据库为只读；请检查数据目录的权限及其所在的文件系统
server-db-the-database-could-not-be-read = 无法读写数据库（I/O 错误）；请检查磁盘
server-db-the-disk-holding-the-database-is = 数据库所在的磁盘已满；请释放一些空间后重试
server-tester-a-test-is-already-running-for = 此会话已有一个测试正在运行；请等待其结果。
server-tester-too-many-tests-are-running-on = 此服务器当前运行的测试过多；请几秒钟后重试。
server-error-the-server-could-not-complete-this = 服务器无法完成此请求。未更改任何内容；原因已记录在服务器日志中。
