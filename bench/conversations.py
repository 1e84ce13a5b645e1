"""WhatsApp conversations benchmark: many people writing to a satker's number at once, through
the whole path as deployed — WhatsApp's signed webhooks into gunicorn (halopst.wsgi), a Celery
worker storing and answering them (AIDA on the fake Gemini), replies leaving through the real
httpx client to the fake WhatsApp Cloud API — while officers answer from the web inbox.

    python bench/conversations.py     # BENCH_CONTACTS=500 BENCH_RATE=20 BENCH_SECONDS=120

Reports: webhook acknowledgement p50/p99 (target p99 < 200 ms); whether every message was stored
exactly once though 5 % were delivered twice; whether each conversation kept the order its
messages were written in; how many AIDA answers reached the fake and how late; the time from an
officer's reply (POST in the web inbox) to the fake WhatsApp (target p95 < 1 s); and the CPU the
harness (with its fakes) and the system used.
"""

import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    cpu_seconds_of_session,
    free_port,
    fresh_django,
    measured_commit,
    onboard_sidoarjo,
    percentile,
    start_server,
)
from bench.load import start_redis  # noqa: E402

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "500"))
RATE = float(os.environ.get("BENCH_RATE", "20"))  # inbound messages per second
SECONDS = int(os.environ.get("BENCH_SECONDS", "120"))
DUPLICATES = 0.05  # share of webhooks WhatsApp delivers twice
HANDOFF = 0.2  # share of people who ask for a person with their second message
OFFICERS = 4
NUMBER, TOKEN = "3515000000001", "bench-token"
QUESTIONS = [
    "garis kemiskinan sidoarjo ada?",
    "bagaimana cara menghitung inflasi",
    "data penduduk per kecamatan",
    "apa itu tingkat pengangguran terbuka",
    "di mana unduh data pdrb",
]
CONVERSATION_LINK = re.compile(r'href="/percakapan/(\d+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def setup(fake_whatsapp_url: str):
    from django_tenants.utils import schema_context

    from aida import services as aida_services
    from billing_quota.services import set_limits
    from booking import services as booking
    from booking.models import ExpertiseTag
    from core.models import Role, User
    from shared_knowledge.entries import EntryData
    from tenants.services import connect_whatsapp

    satker = onboard_sidoarjo()
    set_limits(satker, plan="province", monthly_token_limit=10**9, monthly_request_limit=10**7)
    connect_whatsapp(satker, phone_number_id=NUMBER, display_number="031 800 3515", access_token=TOKEN)
    with schema_context(satker.schema_name):
        # On duty around the clock, holidays included: the run measures the same whatever the date.
        booking.update_booking_settings(national_holidays=False)
        tags = list(ExpertiseTag.objects.all()[:4])
        for number in range(OFFICERS):
            user = User.objects.create_user(
                f"petugas{number}@bench.example", "bench-password-1", full_name=f"Petugas {number}", role=Role.OFFICER
            )
            profile = booking.save_officer_profile(user, expertise=tags)
            booking.set_weekly_hours(profile, [(day, "00:00", "23:59:59.999999") for day in range(7)])
        aida_services.save_entry(
            None,
            EntryData(
                title="Garis kemiskinan",
                body="Garis kemiskinan adalah nilai pengeluaran minimum makanan dan bukan makanan.",
                tags="kemiskinan, inflasi, penduduk, pengangguran, pdrb",
            ),
        )
    return satker


class Officer:
    """An officer in the web inbox, signed in through the login page of gunicorn."""

    def __init__(self, base: str, host: str, email: str):
        import httpx

        self.http = httpx.Client(base_url=base, headers={"Host": host}, timeout=30)
        page = self.http.get("/akun/masuk/")
        token = CSRF.search(page.text).group(1)
        signed_in = self.http.post(
            "/akun/masuk/", data={"csrfmiddlewaretoken": token, "username": email, "password": "bench-password-1"}
        )
        assert signed_in.status_code == 302, signed_in.text[:300]
        self.refused = 0

    def reply_to_one(self, answered: set, sent_at: dict) -> None:
        inbox = self.http.get("/percakapan/")
        for pk in CONVERSATION_LINK.findall(inbox.text):
            if pk in answered:
                continue
            thread = self.http.get(f"/percakapan/{pk}/")
            token = CSRF.search(thread.text)
            if "id_reply_body" not in thread.text or token is None:
                continue
            answered.add(pk)
            body = f"Jawaban petugas {uuid.uuid4().hex[:12]}"
            started = time.monotonic()
            posted = self.http.post(
                f"/percakapan/{pk}/balas/", data={"csrfmiddlewaretoken": token.group(1), "body": body}
            )
            if posted.status_code == 302:  # else a colleague took it a moment earlier (409)
                sent_at[body] = started
            else:
                self.refused += 1
            return


def main():
    from tests.fakes import whatsapp as fake
    from tests.fakes.gemini import API_KEY, FakeGemini

    class TimedWhatsApp(fake.FakeWhatsApp):
        """The fake, noting when each text arrived."""

        def __init__(self):
            super().__init__()
            self.arrived = {}

        def respond(self, method, path, headers, raw, mode):
            answer = super().respond(method, path, headers, raw, mode)
            if answer[0] == 200 and path.endswith("/messages"):
                import json

                body = json.loads(raw)
                text = (body.get("text") or {}).get("body") or (body.get("interactive") or {}).get("body", {}).get(
                    "text"
                )
                with self.lock:
                    self.arrived.setdefault(text, time.monotonic())
            return answer

    # Its own Redis, like bench/load.py: the workers take only this run's tasks, and nothing of
    # a development system on the machine's Redis is touched.
    log = tempfile.NamedTemporaryFile(prefix="bench-conversations-", suffix=".log", delete=False)
    redis_port = free_port()
    redis = start_redis(redis_port, log)
    gemini = FakeGemini(answer=lambda body: "Silakan lihat tabel garis kemiskinan di situs BPS [1].").start()
    whatsapp = TimedWhatsApp().start()
    whatsapp.add_number(NUMBER, TOKEN)
    fresh_django(
        "bench_conversations",
        HALOPST_GEMINI_API_KEY=API_KEY,
        HALOPST_GEMINI_BASE_URL=gemini.url,
        HALOPST_WHATSAPP_BASE_URL=whatsapp.url,
        HALOPST_WHATSAPP_APP_SECRET=fake.APP_SECRET,
        HALOPST_PROVIDER_TIMEOUT="5",
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
    )
    satker = setup(whatsapp.url)
    from django_tenants.utils import schema_context

    from conversations.models import Conversation, Kind, Message

    port = free_port()
    web = start_server("gunicorn", port, log=log)
    # As deployed: a worker for the default queue, and one for the WhatsApp channel's bulk.
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "halopst", "worker", "-n", f"{queue}@%h", "-Q", queue]
            + ["--loglevel", "WARNING", "--concurrency", "2"],
            cwd=ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        for queue in ("celery", "whatsapp")
    ]
    base, portal = f"http://127.0.0.1:{port}", "localhost"
    print(
        f"{CONTACTS} people, {RATE:g} messages/s for {SECONDS}s, {OFFICERS} officers; "
        f"commit {measured_commit()}; log: {log.name}"
    )

    import httpx

    random.seed(5)
    people = [f"62812{number:08d}" for number in range(CONTACTS)]
    written = {person: 0 for person in people}
    sent, acks, failures, order = [], [], [], {}
    lock = threading.Lock()
    http = httpx.Client(base_url=base, headers={"Host": portal}, timeout=30, limits=httpx.Limits(max_connections=32))

    def post(body: dict) -> None:
        raw, headers = fake.signed(body)
        started = time.monotonic()
        try:
            response = http.post(
                "/webhooks/whatsapp/",
                content=raw,
                headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": headers["HTTP_X_HUB_SIGNATURE_256"],
                },
            )
            status = response.status_code
        except httpx.HTTPError as error:
            status = repr(error)
        with lock:
            acks.append(time.monotonic() - started)
            if status != 200:
                failures.append(status)

    officers = [Officer(base, f"{satker.subdomain}.localhost", f"petugas{n}@bench.example") for n in range(OFFICERS)]
    # The clock starts once the worker answers: one message in and stored.
    post(fake.inbound(NUMBER, fake.text("halo", id="wamid.warmup"), wa_id="6281999999999", user_id="ID.6281999999999"))
    with schema_context(satker.schema_name):
        deadline = time.monotonic() + 60
        while not Message.objects.filter(provider_id="wamid.warmup").exists():
            assert time.monotonic() < deadline, f"the worker never stored the first message; see {log.name}"
            time.sleep(0.2)
    acks.clear()
    answered, reply_sent_at, stop = set(), {}, threading.Event()

    def officer_loop(officer):
        while not stop.is_set():
            try:
                officer.reply_to_one(answered, reply_sent_at)
            except httpx.HTTPError:
                pass
            stop.wait(1.0)

    officer_threads = [threading.Thread(target=officer_loop, args=(o,), daemon=True) for o in officers]
    for thread in officer_threads:
        thread.start()
    cpu_harness_start = time.process_time()
    cpu_system_start = sum(cpu_seconds_of_session(process.pid) for process in [web, *workers])
    total = int(RATE * SECONDS)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=24) as pool:
        for index in range(total):
            due = started + index / RATE
            time.sleep(max(0.0, due - time.monotonic()))
            person = random.choice(people)
            written[person] += 1
            text = "petugas" if written[person] == 2 and random.random() < HANDOFF else random.choice(QUESTIONS)
            wamid = f"wamid.bench{index:06d}"
            body = fake.inbound(
                NUMBER,
                fake.text(f"{text} #{written[person]}", id=wamid, timestamp=str(int(time.time()) + index // 1000)),
                wa_id=person,
                user_id=f"ID.{person}",
                name=f"Warga {person[-4:]}",
            )
            order.setdefault(person, []).append(wamid)
            sent.append(wamid)
            pool.submit(post, body)
            if random.random() < DUPLICATES:
                pool.submit(post, body)  # WhatsApp re-delivers it
    elapsed = time.monotonic() - started
    stop.set()
    # Drain: wait until every message is stored (or give up after two minutes).
    deadline = time.monotonic() + 120
    with schema_context(satker.schema_name):
        while time.monotonic() < deadline:
            stored = Message.objects.filter(kind=Kind.FROM_CONSUMER).exclude(provider_id="wamid.warmup").count()
            if stored >= len(sent):
                break
            time.sleep(1)
        drained = time.monotonic() - started - elapsed
        stored_ids = list(
            Message.objects.filter(kind=Kind.FROM_CONSUMER)
            .exclude(provider_id="wamid.warmup")
            .values_list("provider_id", flat=True)
        )
        kept_order = 0
        for conversation in Conversation.objects.select_related("contact").exclude(contact__wa_id="6281999999999"):
            ids = list(
                conversation.messages.filter(kind=Kind.FROM_CONSUMER)
                .order_by("created_at", "id")
                .values_list("provider_id", flat=True)
            )
            expected = [wamid for wamid in order[conversation.contact.wa_id] if wamid in set(ids)]
            kept_order += ids == expected
        conversations = Conversation.objects.exclude(contact__wa_id="6281999999999").count()
        bot_answers = Message.objects.filter(from_bot=True).count()
    time.sleep(5)  # the last replies leave
    cpu_harness = time.process_time() - cpu_harness_start
    cpu_system = sum(cpu_seconds_of_session(process.pid) for process in [web, *workers]) - cpu_system_start
    reply_latencies = [whatsapp.arrived[body] - at for body, at in reply_sent_at.items() if body in whatsapp.arrived]
    for process in (web, *workers, redis):
        os.killpg(process.pid, 15)
    gemini.stop()
    whatsapp.stop()

    print(f"sent {len(sent)} messages in {elapsed:.1f}s ({len(sent) / elapsed:.1f}/s), ~{DUPLICATES:.0%} twice")
    print(
        f"webhook acknowledged: p50 {percentile(acks, 0.5) * 1000:.1f} ms, p99 {percentile(acks, 0.99) * 1000:.1f} ms, "
        f"failures {len(failures)} {failures[:3]}"
    )
    print(
        f"stored {len(stored_ids)} (unique {len(set(stored_ids))}) of {len(sent)}; drained {drained:.1f}s after the last; "
        f"exactly once: {sorted(stored_ids) == sorted(sent)}"
    )
    print(f"conversations {conversations}; order kept in {kept_order} of {conversations}")
    print(f"AIDA answers stored {bot_answers}")
    if reply_latencies:
        print(
            f"officer replies {len(reply_latencies)} of {len(reply_sent_at)} reached WhatsApp "
            f"({sum(o.refused for o in officers)} more refused: a colleague had taken the conversation): "
            f"p50 {percentile(reply_latencies, 0.5) * 1000:.0f} ms, p95 {percentile(reply_latencies, 0.95) * 1000:.0f} ms"
        )
    else:
        print(f"officer replies: none reached WhatsApp of {len(reply_sent_at)} sent")
    print(f"CPU seconds: system (gunicorn + workers) {cpu_system:.1f}, harness with its fakes {cpu_harness:.1f}")


if __name__ == "__main__":
    main()
