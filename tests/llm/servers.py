"""Real HTTP servers on loopback for the OpenAI backend's tests.

``llama_server`` runs llama.cpp's own OpenAI-compatible server on the SmolLM2 GGUF.
``ScriptedHTTPServer`` answers chat completions from a list of (status, body) pairs: a real
server speaking the protocol, for faults a healthy server will not produce on demand.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from agent.llm.embedded import MODELS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_llama_server(port: int, *, logits_all: bool, log: Path) -> subprocess.Popen[bytes]:
    model = MODELS["smollm2-135m"].locate(log.parent)
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--n_threads",
        "1",
        "--n_threads_batch",
        "1",
        "--logits_all",
        str(logits_all).lower(),
        "--verbose",
        "false",
    ]
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("llama_cpp.server did not start in 60 s")


def completion_body(text: str) -> dict:
    return {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
    }


class ScriptedHTTPServer:
    def __init__(self, replies: list[tuple[Any, ...]]) -> None:
        """``replies``: (status, JSON body or raw bytes[, seconds to wait first]) per request."""
        self.replies = list(replies)
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                outer.requests.append(json.loads(self.rfile.read(length)))
                status, body, *delay = outer.replies.pop(0) if outer.replies else (500, {})
                time.sleep(delay[0] if delay else 0)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                html = data.startswith(b"<")  # as a proxy's error page comes
                self.send_header("content-type", "text/html" if html else "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
