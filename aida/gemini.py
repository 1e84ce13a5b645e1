"""Talking to Gemini through google-genai: one configured client, streaming with retries.

Retries: 429 and 503 (and network errors) are retried before the first token arrives, waiting
what the server asks for (RetryInfo.retryDelay) within a cap; after a token has been sent to the
user nothing is retried (the user would see the answer twice). Everything else is raised as
`GeminiUnavailable` for AIDA's degraded reply.
"""

import asyncio
import re
import threading
import weakref
from dataclasses import dataclass, field

import httpx
import httpx2
from django.conf import settings
from google import genai
from google.genai import errors, types

SYSTEM_INSTRUCTION = """Anda adalah AIDA, asisten data {satker} (Badan Pusat Statistik). Tugas Anda:
- Menjawab hanya pertanyaan tentang statistik, data BPS, dan layanan BPS (PST). Tolak dengan sopan topik lain.
- Menjawab HANYA berdasarkan kutipan basis pengetahuan yang diberikan. Sebutkan nomor kutipan yang Anda pakai, misalnya [1].
- JANGAN PERNAH mengarang angka. Jika kutipan tidak memuat angka atau jawaban yang diminta, katakan terus terang bahwa
  Anda tidak memilikinya dan sarankan konsultasi dengan petugas {satker}.
- Menjawab dalam bahasa yang dipakai penanya (Bahasa Indonesia atau Inggris), singkat dan jelas."""


# google-genai talks through httpx2 (its fork of httpx); either may surface, as may asyncio's.
NETWORK_ERRORS = (httpx.TransportError, httpx2.TransportError, asyncio.TimeoutError)


class GeminiUnavailable(Exception):
    """Gemini could not answer (no key, down, timing out, refusing, malformed reply)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason


@dataclass
class StreamResult:
    text: str = ""
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    finish_reason: str = ""
    model: str = ""
    chunks: list = field(default_factory=list)


# Building a client costs ~44 ms (TLS context, auth); its async transport belongs to one event
# loop. So one client per settings and loop, reused for every question on that loop; and one
# for the synchronous calls (embeddings), shared by the process's threads.
_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()
_sync_clients: dict[tuple, genai.Client] = {}
_sync_clients_lock = threading.Lock()


def _settings_key() -> tuple:
    if not settings.HALOPST_GEMINI_API_KEY:
        raise GeminiUnavailable("no_key", "no Gemini API key is configured")
    return (
        settings.HALOPST_GEMINI_API_KEY,
        settings.HALOPST_GEMINI_BASE_URL,
        settings.HALOPST_GEMINI_API_VERSION,
        settings.HALOPST_GEMINI_TIMEOUT,
    )


def _new_client(**http_options) -> genai.Client:
    options = types.HttpOptions(
        api_version=settings.HALOPST_GEMINI_API_VERSION,
        timeout=int(settings.HALOPST_GEMINI_TIMEOUT * 1000),
        **http_options,
    )
    if settings.HALOPST_GEMINI_BASE_URL:
        options.base_url = settings.HALOPST_GEMINI_BASE_URL
    return genai.Client(api_key=settings.HALOPST_GEMINI_API_KEY, http_options=options)


def client() -> genai.Client:
    """The client for this event loop's calls (`client().aio`)."""
    key = _settings_key()
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    if key not in per_loop:
        # google-genai switches to aiohttp whenever it is installed (pywebpush brings it),
        # whose errors NETWORK_ERRORS does not know: an explicit httpx2 transport keeps it on httpx2.
        per_loop[key] = _new_client(async_client_args={"transport": httpx2.AsyncHTTPTransport()})
    return per_loop[key]


def sync_client() -> genai.Client:
    """The client for calls made from synchronous code (`sync_client().models`)."""
    key = _settings_key()
    # One per key, ever: a client replaced under a thread still using it would be collected,
    # and a collected client closes its connections.
    with _sync_clients_lock:
        if key not in _sync_clients:
            _sync_clients[key] = _new_client()
        return _sync_clients[key]


def config(satker_title: str) -> types.GenerateContentConfig:
    return types.GenerateContentConfig(
        system_instruction=SYSTEM_INSTRUCTION.format(satker=satker_title),
        temperature=0.2,
        max_output_tokens=settings.HALOPST_GEMINI_MAX_OUTPUT_TOKENS,
        thinking_config=types.ThinkingConfig(thinking_level=settings.HALOPST_GEMINI_THINKING_LEVEL),
    )


def retry_delay(error: errors.APIError) -> float | None:
    """Seconds from google.rpc.RetryInfo in the error details, if the server gave one."""
    details = error.details if isinstance(error.details, dict) else {}
    for item in (details.get("error", {}) or {}).get("details", []) or []:
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("RetryInfo"):
            match = re.fullmatch(r"([0-9.]+)s", str(item.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


async def stream(contents, satker_title: str):
    """Yield text pieces as Gemini streams them; return the final StreamResult via `.result`."""
    api = client()
    attempts = settings.HALOPST_GEMINI_RETRIES + 1
    result = StreamResult(model=settings.HALOPST_GEMINI_MODEL)
    for attempt in range(attempts):
        started = False
        try:
            response = await api.aio.models.generate_content_stream(
                model=settings.HALOPST_GEMINI_MODEL, contents=contents, config=config(satker_title)
            )
            async for chunk in response:
                result.chunks.append(chunk)
                if chunk.usage_metadata is not None:
                    result.prompt_tokens = chunk.usage_metadata.prompt_token_count
                    result.output_tokens = chunk.usage_metadata.candidates_token_count
                    result.total_tokens = chunk.usage_metadata.total_token_count
                if chunk.candidates and chunk.candidates[0].finish_reason:
                    result.finish_reason = str(
                        getattr(chunk.candidates[0].finish_reason, "value", chunk.candidates[0].finish_reason)
                    )
                if chunk.model_version:
                    result.model = chunk.model_version
                piece = chunk.text or ""
                if piece:
                    started = True
                    result.text += piece
                    yield piece
            if not result.text:
                blocked = (
                    getattr(getattr(result.chunks[-1], "prompt_feedback", None), "block_reason", None)
                    if result.chunks
                    else None
                )
                raise GeminiUnavailable("refused", f"no text (finish {result.finish_reason or '-'}, block {blocked})")
            yield result
            return
        except errors.APIError as error:
            retryable = error.code in (429, 503, 500) and not started and attempt + 1 < attempts
            if not retryable:
                # The provider's own rate limit, not this satker's monthly budget (billing_quota's "quota").
                reason = "rate_limited" if error.code == 429 else "down"
                raise GeminiUnavailable(reason, f"{error.code} {error.status}: {error.message}") from None
            await asyncio.sleep(min(retry_delay(error) or 2**attempt, settings.HALOPST_GEMINI_MAX_RETRY_WAIT))
        except NETWORK_ERRORS as error:
            if started or attempt + 1 >= attempts:
                raise GeminiUnavailable("timeout", repr(error)) from None
            await asyncio.sleep(min(2**attempt, settings.HALOPST_GEMINI_MAX_RETRY_WAIT))
        except (ValueError, KeyError, TypeError) as error:  # a reply the SDK could not read
            raise GeminiUnavailable("malformed", repr(error)) from None
