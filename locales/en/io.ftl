# An operating-system error (src/i18n/io_reason.rs). English pages show the OS's own text
# ("Connection refused (os error 111)"); these name the common kinds in other languages.

# A kind of error with the OS error number it came with.
io-reason-with-number = { $reason } (os error { $number })
io-connection-refused = connection refused
io-connection-reset = connection reset by the peer
io-connection-aborted = connection aborted
io-broken-pipe = the connection is broken
io-timed-out = the operation timed out
io-host-unreachable = host unreachable
io-network-unreachable = network unreachable
io-network-down = the network is down
io-unexpected-eof = the connection ended unexpectedly
io-not-connected = the connection is not set up or is closed
io-addr-not-available = address not available
io-addr-in-use = address in use
io-permission-denied = permission denied
io-not-found = no such file or directory
io-read-only-filesystem = read-only file system
io-storage-full = no space left on the device
io-quota-exceeded = disk quota exceeded
io-already-exists = the file exists
io-is-a-directory = is a directory
io-not-a-directory = not a directory
io-directory-not-empty = the directory is not empty
io-file-too-large = file too large
io-interrupted = the operation was interrupted
io-out-of-memory = out of memory
