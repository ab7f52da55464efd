def talk(conn):                # 每个客户端一个线程
    while True:                                  #@Spin
        try:
            data = conn.recv(1024)               #@Recv
        except ConnectionResetError:             #@RecvReset
            break
        if not data:   # b'': 客户端已关闭  #@Closed
            break
        try:
            conn.sendall(data.upper())           #@Send
        except (ConnectionResetError, TimeoutError): #@SendReset
            break
    conn.close()                                 #@Removed

server.listen(5)
while True:
    conn, addr = server.accept()   # 阻塞等待    #@Accept
    Thread(target=talk, args=(conn,)).start()    #@Spawn
