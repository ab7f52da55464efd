# How the screen looks, and where the room reaches the server.

# The help's row for `T`.
look-key-theme = colours: dark / light / high contrast

# Listening beyond loopback (--addr 0.0.0.0:8080): the empty Connected
# list's hint after "connect with: nc 192.168.1.23 8080", when the machine
# has more addresses ("10.8.0.2 (tun0) · 172.17.0.1 (docker0)").
look-room-also = also: { $addrs }
# The help's first line, before the command to type ("nc 192.168.1.23 8080").
look-room-help = From the room's laptops:
# The help's second line: every address of this machine.
look-room-addrs = this machine: { $addrs }
