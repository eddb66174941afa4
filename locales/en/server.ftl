# Words of the server module, one message per fact; variables as named.

server-db-the-database-is-locked-by-another = the database is locked by another process (past the 5 s busy timeout); find what holds it open and try again
server-db-the-database-is-read-only-check = the database is read-only; check the permissions and the file system of the data directory
server-db-the-database-could-not-be-read = the database could not be read or written (I/O error); check the disk
server-db-the-disk-holding-the-database-is = the disk holding the database is full; free some space and try again
server-tester-a-test-is-already-running-for = A test is already running for this session; wait for its result.
server-tester-too-many-tests-are-running-on = Too many tests are running on this server right now; try again in a few seconds.
server-error-the-server-could-not-complete-this = The server could not complete this request. Nothing was changed; the cause is in the server log.
