while True:                                          #@Spin
    try:
        conn, caddr = server.accept()                #@Accept
        conn.setblocking(False)  # ioscope 补上的
        connected_list.append(conn)                  #@Accepted
    except BlockingIOError:                          #@AcceptAgain
        dis_conn_list = []
        ready_send_list = []
        for conn in connected_list:
            try:
                data = conn.recv(1024)  # b'' 也算   #@Recv
                ready_send_list.append(              #@Data
                    (conn, data.upper()))
            except BlockingIOError:                  #@RecvAgain
                continue
            except ConnectionResetError:             #@RecvReset
                dis_conn_list.append(conn)
        for item in ready_send_list:
            conn = item[0]
            data = item[1]
            try:
                conn.send(data)  # b'' 也发          #@Send
            except BlockingIOError:                  #@SendAgain
                pass   # 回复丢了
            # 这里的重置没人捕获: 程序崩溃     #@SendReset
        for conn in dis_conn_list:
            connected_list.remove(conn)              #@Removed
