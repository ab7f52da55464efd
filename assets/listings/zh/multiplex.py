sel = selectors.DefaultSelector()   # epoll
sel.register(server, EVENT_READ)
while True:
    events = sel.select()   # 睡眠: 0% CPU     #@Poll
    for key, mask in events:                     #@Ready
        if key.fileobj is server:
            while True:   # accept 直到 WouldBlock
                try:
                    conn, addr = server.accept() #@Accept
                except BlockingIOError: break    #@AcceptAgain
                conn.setblocking(False)
                sel.register(conn, EVENT_READ)   #@Accepted
            continue
        conn = key.fileobj
        for _ in range(4):   # 每轮最多读 4 次
            try:
                data = conn.recv(1024)           #@Recv
            except BlockingIOError: break        #@RecvAgain
            except ConnectionResetError:         #@RecvReset
                data = None
            if not data:   # b'': 已关闭或被重置
                sel.unregister(conn); conn.close() #@Removed
                break
            try:
                conn.send(data.upper())          #@Send
            except BlockingIOError:              #@SendAgain
                keep(conn, data.upper())   # 稍后发
