while True:                                          #@Spin
    try:
        conn, caddr = server.accept()                #@Accept
        conn.setblocking(False)  # ioscope adds it
        connected_list.append(conn)                  #@Accepted
    except BlockingIOError:                          #@AcceptAgain
        dis_conn_list = []
        ready_send_list = []
        for conn in connected_list:
            try:
                data = conn.recv(1024)  # b'' too    #@Recv
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
                conn.send(data)  # b'' too           #@Send
            except BlockingIOError:                  #@SendAgain
                pass   # the reply is lost
            # a reset here: uncaught, it crashes     #@SendReset
        for conn in dis_conn_list:
            connected_list.remove(conn)              #@Removed
