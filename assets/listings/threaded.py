def talk(conn):                # a thread per client
    while True:                                  #@Spin
        try:
            data = conn.recv(1024)               #@Recv
        except ConnectionResetError:             #@RecvReset
            break
        if not data:   # b'': the client closed  #@Closed
            break
        try:
            conn.sendall(data.upper())           #@Send
        except (ConnectionResetError, TimeoutError): #@SendReset
            break
    conn.close()                                 #@Removed

server.listen(5)
while True:
    conn, addr = server.accept()   # waits       #@Accept
    Thread(target=talk, args=(conn,)).start()    #@Spawn
