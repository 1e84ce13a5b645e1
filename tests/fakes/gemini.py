"""Fake Gemini REST API (v1beta): generateContent, streamGenerateContent?alt=sse, countTokens,
batchEmbedContents (vectors from `stand_in_embedding`, or whatever `embed` is set to), with
usageMetadata, and the real error bodies (429 with RetryInfo, 503, 500).

Modes for `plan`: "ok", "429" (with retryDelay "1s"), "503", "500", "400", "slow" (first chunk
after `slow_seconds`), "malformed" (a broken SSE event), "empty" (finishReason SAFETY, no text).
`answer` decides the reply text from the request; `delay_between_chunks` paces the stream.
"""

import hashlib
import json
import math
import re
import threading
from collections import deque

from tests.fakes.server import FakeServer

API_KEY = "fake-gemini-key"


class FakeGemini(FakeServer):
    def __init__(self, answer=None, chunk_words=3):
        super().__init__()
        self.answer = answer or (
            lambda body: "Garis kemiskinan dihitung dari kebutuhan dasar makanan dan non-makanan [1]."
        )
        self.chunk_words = chunk_words
        self.slow_seconds = 3.0
        self.delay_between_chunks = 0.0
        # When set, the last event waits until a test sets it (or 30 s): proof that what came
        # before reached the client while the stream was still open.
        self.hold_last_event: threading.Event | None = None
        self.over_report = 1  # usageMetadata reports this many times the tokens really used
        self.calls = []  # (method, body) of every call that reached a model
        self.embed = stand_in_embedding  # (text, dimensions) -> values
        # Embedding calls take their modes from here, the model's answers from `plan`: a test
        # scripting an answer's failure is not disturbed by the question's vector, and back.
        self.embed_plan = deque()

    @property
    def answers(self) -> list:
        """The calls that asked the model to write (not to count or embed)."""
        return [call for call in self.calls if call[0] in ("generateContent", "streamGenerateContent")]

    def next_mode(self, path: str) -> str:
        plan = self.embed_plan if ":batchEmbedContents" in path else self.plan
        return plan.popleft() if plan else "ok"

    def respond(self, method, path, headers, raw, mode):
        if headers.get("x-goog-api-key") != API_KEY:
            return 400, {}, _error(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT")
        if mode == "429":
            return (
                429,
                {},
                {
                    "error": {
                        "code": 429,
                        "message": "Resource has been exhausted (e.g. check quota).",
                        "status": "RESOURCE_EXHAUSTED",
                        "details": [
                            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
                            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"},
                        ],
                    }
                },
            )
        if mode in ("503", "500", "400"):
            status = {"503": "UNAVAILABLE", "500": "INTERNAL", "400": "INVALID_ARGUMENT"}[mode]
            return int(mode), {}, _error(int(mode), f"simulated {status}", status)
        body = json.loads(raw or b"{}")
        model_method = path.split("/models/", 1)[-1].split("?")[0]
        method_name = model_method.split(":", 1)[-1]
        with self.lock:
            self.calls.append((method_name, body))
        if method_name == "countTokens":
            return 200, {}, {"totalTokens": _count(body)}
        if method_name == "batchEmbedContents":
            embeddings = []
            for request in body["requests"]:
                text = " ".join(part.get("text", "") for part in request["content"]["parts"])
                embeddings.append({"values": self.embed(text, request.get("outputDimensionality", 3072))})
            return 200, {}, {"embeddings": embeddings}
        text = self.answer(body) if mode != "empty" else ""
        prompt = _count(body)
        output = len(text.split()) * self.over_report
        usage = {
            "promptTokenCount": prompt * self.over_report,
            "candidatesTokenCount": output,
            "totalTokenCount": prompt * self.over_report + output,
        }
        if method_name == "generateContent":
            return (
                200,
                {},
                {
                    "candidates": [
                        {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}
                    ],
                    "usageMetadata": usage,
                    "modelVersion": "gemini-fake-001",
                    "responseId": "r1",
                },
            )
        return 200, {"Content-Type": "text/event-stream"}, _sse(text, usage, mode, self)


def stand_in_embedding(text: str, dimensions: int) -> list[float]:
    """A deterministic stand-in for gemini-embedding-001, with none of its understanding: the
    text's words and their character trigrams, hashed into `dimensions` signed buckets. Texts
    sharing words or pieces of words (a typo, an affix) come close; synonyms and translations do
    not. Like Gemini's, its vectors share a common direction, so unrelated texts score near 0.5.
    """
    lexical = [0.0] * dimensions
    for word in re.findall(r"[0-9a-z]+", text.lower()):
        features = [word] + [f"#{word}#"[i : i + 3] for i in range(len(word))]
        for feature in features:
            digest = hashlib.md5(feature.encode()).digest()
            bucket = int.from_bytes(digest[:4], "big") % dimensions
            lexical[bucket] += (1.0 if digest[4] & 1 else -1.0) * (2.0 if feature == word else 1.0)
    norm = math.sqrt(sum(value * value for value in lexical)) or 1.0
    common = 1 / math.sqrt(dimensions)
    values = [math.sqrt(0.5) * common + math.sqrt(0.5) * value / norm for value in lexical]
    norm = math.sqrt(sum(value * value for value in values))
    return [value / norm for value in values]


def _count(body) -> int:
    text = json.dumps(body.get("contents", body.get("generateContentRequest", {})))
    return max(1, len(text) // 4)


def _error(code, message, status):
    return {"error": {"code": code, "message": message, "status": status}}


class _Stream(bytes):
    """Marks a streamed reply: the server writes `events` one by one, pausing between them."""


def _sse(text, usage, mode, fake):
    words = text.split(" ")
    pieces = (
        [
            " ".join(words[i : i + fake.chunk_words]) + (" " if i + fake.chunk_words < len(words) else "")
            for i in range(0, len(words), fake.chunk_words)
        ]
        if text
        else []
    )
    events = []
    for index, piece in enumerate(pieces):
        chunk = {
            "candidates": [{"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}],
            "modelVersion": "gemini-fake-001",
        }
        if index == len(pieces) - 1:
            chunk["candidates"][0]["finishReason"] = "STOP"
            chunk["usageMetadata"] = usage
        events.append(chunk)
    if not pieces:
        events.append(
            {
                "candidates": [{"finishReason": "SAFETY", "index": 0}],
                "usageMetadata": usage,
                "promptFeedback": {"blockReason": "SAFETY"},
                "modelVersion": "gemini-fake-001",
            }
        )
    stream = _Stream(b"")
    stream.events = events
    stream.mode = mode
    stream.fake = fake
    return stream
