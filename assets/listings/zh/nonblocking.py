while True:                                          #@Spin
    for _ in range(64):   # accept 直到 WouldBlock
        try:
            conn, addr = server.accept()             #@Accept
        except BlockingIOError:                      #@AcceptAgain
            break
        conn.setblocking(False) # 讲义里没有这句
        connected_list.append(conn)                  #@Accepted
    dis_conn_list, ready_send_list = [], []
    for conn in connected_list:
        try:
            data = conn.recv(1024)                   #@Recv
        except BlockingIOError:                      #@RecvAgain
            continue
        except ConnectionResetError:                 #@RecvReset
            dis_conn_list.append(conn); continue
        if not data:   # b'': 客户端已关闭      #@Closed
            dis_conn_list.append(conn); continue
        ready_send_list.append((conn, data.upper())) #@Data
    for conn, data in ready_send_list:
        try:
            conn.send(data)                          #@Send
        except BlockingIOError:                      #@SendAgain
            keep(conn, data)  # 下一轮循环重发
        except ConnectionResetError:                 #@SendReset
            dis_conn_list.append(conn)
    for conn in dis_conn_list:
        connected_list.remove(conn); conn.close()    #@Removed
