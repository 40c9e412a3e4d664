"""A plain MLLP client over a real TCP socket (<VT> message <FS><CR>), for the listener's tests and benchmark."""

import socket
import time

START, END = b"\x0b", b"\x1c\x0d"


class MllpClient:
    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_ack(self) -> str:
        while END not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the listener closed the connection")
            self.buffer += chunk
        end = self.buffer.index(END)
        data, self.buffer = self.buffer[:end], self.buffer[end + len(END) :]
        return data[data.index(START) + 1 :].decode("utf-8")

    def send(self, message: str) -> tuple[str, float]:
        """Send one message; return its ACK and the seconds it took to come back."""
        began = time.perf_counter()
        self.send_raw(START + message.encode("utf-8") + END)
        ack = self.read_ack()
        return ack, time.perf_counter() - began

    def close(self):
        self.sock.close()


def ack_code(ack: str) -> str:
    """MSA-1 of an ACK (AA, AE or AR)."""
    for segment in ack.split("\r"):
        if segment.startswith("MSA"):
            return segment.split(segment[3])[1]
    return ""
