server.listen(5)
while True:
    conn, addr = server.accept()   # waits       #@Accept
    # one client at a time: the next one waits
    while True:                                  #@Spin
        try:
            data = conn.recv(1024)   # waits     #@Recv
        except ConnectionResetError:             #@RecvReset
            break
        if not data:   # b'': the client closed  #@Closed
            break
        try:
            conn.sendall(data.upper())           #@Send
        except (ConnectionResetError, TimeoutError): #@SendReset
            break
    conn.close()                                 #@Removed
