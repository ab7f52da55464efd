q = queue.Queue(256)        # clients wait here

def worker():
    while True:
        conn = q.get()   # waits               #@Dequeue
        while True:                              #@Spin
            try:
                data = conn.recv(1024)           #@Recv
            except ConnectionResetError:         #@RecvReset
                break
            if not data:   # the client closed   #@Closed
                break
            try:
                conn.sendall(data.upper())       #@Send
            except (ConnectionResetError,        #@SendReset
                    TimeoutError):
                break
        conn.close()                             #@Removed

for _ in range(4):          # --workers
    Thread(target=worker).start()
server.listen(5)
while True:
    conn, addr = server.accept()   # waits       #@Accept
    q.put(conn)   # waits while the queue is full #@Queue
