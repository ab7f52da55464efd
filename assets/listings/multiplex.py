sel = selectors.DefaultSelector()   # epoll
sel.register(server, EVENT_READ)
while True:
    events = sel.select()   # sleeps: 0% CPU     #@Poll
    for key, mask in events:                     #@Ready
        if key.fileobj is server:
            while True:   # accept until WouldBlock
                try:
                    conn, addr = server.accept() #@Accept
                except BlockingIOError: break    #@AcceptAgain
                conn.setblocking(False)
                sel.register(conn, EVENT_READ)   #@Accepted
            continue
        conn = key.fileobj
        for _ in range(4):   # 4 reads a turn
            try:
                data = conn.recv(1024)           #@Recv
            except BlockingIOError: break        #@RecvAgain
            except ConnectionResetError:         #@RecvReset
                data = None
            if not data:   # b'': closed, or a reset
                sel.unregister(conn); conn.close() #@Removed
                break
            try:
                conn.send(data.upper())          #@Send
            except BlockingIOError:              #@SendAgain
                keep(conn, data.upper())   # later
