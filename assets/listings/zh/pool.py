q = queue.Queue(256)        # 客户端在这里排队

def worker():
    while True:
        conn = q.get()   # 阻塞等待            #@Dequeue
        while True:                              #@Spin
            try:
                data = conn.recv(1024)           #@Recv
            except ConnectionResetError:         #@RecvReset
                break
            if not data:   # 客户端已关闭   #@Closed
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
    conn, addr = server.accept()   # 阻塞等待    #@Accept
    q.put(conn)   # 队列满了就等待 #@Queue
