server.listen(5)
while True:
    conn, addr = server.accept()   # 阻塞等待    #@Accept
    # 同一时间只服务一个客户端,下一个只能等
    while True:                                  #@Spin
        try:
            data = conn.recv(1024)   # 阻塞等待  #@Recv
        except ConnectionResetError:             #@RecvReset
            break
        if not data:   # b'': 客户端已关闭  #@Closed
            break
        try:
            conn.sendall(data.upper())           #@Send
        except (ConnectionResetError, TimeoutError): #@SendReset
            break
    conn.close()                                 #@Removed
