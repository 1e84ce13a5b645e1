"""Answers through the real google-genai client against the fake Gemini: streaming, storage,
quota settlement, every degraded mode, feedback, handoff and the review loop."""

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from aida import services
from aida.models import AnswerReview, KnowledgeEntry, Message, Origin
from billing_quota.models import Reservation
from billing_quota.services import ledger_for, set_limits
from core.models import Role
from tests.conftest import client_for, create_user, free_port

QUESTION = "berapa garis kemiskinan sidoarjo dan bagaimana cara menghitungnya?"


def ask(satker, question=QUESTION, user=None, session_key="s-1"):
    prepared = services.prepare(satker, question=question, user=user, session_key=session_key)

    async def collect():
        return [event async for event in services.answer_events(satker, prepared)]

    # async_to_sync: the answer's database work runs on this thread, inside the test's transaction.
    return async_to_sync(collect)()


def text_of(events):
    return "".join(event["text"] for event in events if event["type"] == "token")


def test_answer_streams_in_pieces_with_sources_and_is_stored(satker_a, gemini):
    events = ask(satker_a)
    tokens = [event for event in events if event["type"] == "token"]
    done = events[-1]
    assert len(tokens) > 3 and done["type"] == "done" and done["degraded"] == ""
    assert "Garis kemiskinan dihitung" in text_of(events)
    assert done["sources"][0]["slug"] == "garis-kemiskinan"
    ((_method, request),) = gemini.answers
    prompt = request["contents"][-1]["parts"][0]["text"]
    assert "2.100 kilokalori" in prompt and QUESTION in prompt
    assert "JANGAN PERNAH mengarang angka" in request["systemInstruction"]["parts"][0]["text"]
    with schema_context(satker_a.schema_name):
        answer = Message.objects.get(pk=done["message"])
        assert (answer.model, answer.finish_reason) == ("gemini-fake-001", "STOP")
        assert answer.total_tokens > answer.prompt_tokens > 0 and answer.latency_ms is not None
        assert answer.conversation.messages.filter(role="user").get().text == QUESTION
    ledger = ledger_for(satker_a)
    assert (ledger.requests_used, ledger.requests_reserved, ledger.tokens_reserved) == (1, 0, 0)
    assert ledger.tokens_used == answer.total_tokens  # settled on Gemini's totalTokenCount
    assert Reservation.objects.get(satker=satker_a).tokens_charged == answer.total_tokens


@pytest.mark.parametrize(
    ("plan", "reason"),
    [
        (["503", "503", "503"], "down"),
        (["429", "429", "429"], "rate_limited"),
        (["slow", "slow", "slow"], "timeout"),
        (["malformed"], "malformed"),
        (["empty"], "refused"),
        (["400"], "down"),
    ],
)
def test_gemini_failures_give_a_labelled_reply_with_knowledge_and_handoff(satker_a, gemini, plan, reason, db):
    gemini.plan.extend(plan)
    events = ask(satker_a)
    done = events[-1]
    assert done["degraded"] == reason and done["handoff_first"] is True
    reply = text_of(events)
    # Plain words, no technical line; the knowledge found comes as cards (title, how it begins).
    assert "Bantuan AI untuk AIDA sedang tidak merespons" in reply and "petugas dapat membantu" in reply.lower()
    assert "dikonfigurasi" not in reply and "- Garis kemiskinan" not in reply
    assert done["sources"][0]["title"].startswith("Garis kemiskinan") and done["sources"][0]["excerpt"]
    ledger = ledger_for(satker_a)
    assert (ledger.requests_used, ledger.requests_reserved, ledger.tokens_reserved) == (0, 0, 0)  # released


def test_gemini_unreachable_gives_the_labelled_reply_not_an_error(satker_a, gemini, settings, db):
    # Nothing listens there: the connection is refused (aiohttp's error, if google-genai took that
    # transport, would escape the handling and break the stream).
    settings.HALOPST_GEMINI_BASE_URL = f"http://127.0.0.1:{free_port()}"
    events = ask(satker_a)
    assert events[-1]["degraded"] in ("down", "timeout") and "petugas dapat membantu" in text_of(events).lower()


def test_retry_honours_the_server_retry_delay_then_answers(satker_a, gemini, db):
    gemini.plan.extend(["429", "503"])
    events = ask(satker_a)
    assert events[-1]["degraded"] == "" and "Garis kemiskinan" in text_of(events)
    assert len([path for path, _headers, _body in gemini.requests if ":streamGenerateContent" in path]) == 3


def test_no_key_and_spent_quota_never_call_gemini(satker_a, gemini, settings, db):
    settings.HALOPST_GEMINI_API_KEY = ""
    assert ask(satker_a)[-1]["degraded"] == "no_key"
    settings.HALOPST_GEMINI_API_KEY = "fake-gemini-key"
    set_limits(satker_a, plan="basic", monthly_token_limit=100_000, monthly_request_limit=0)
    events = ask(satker_a)
    assert events[-1]["degraded"] == "quota" and "Jatah jawaban AI kantor ini" in text_of(events)
    assert gemini.answers == []


def test_nothing_relevant_says_so_and_offers_an_officer_first(satker_a, gemini, db):
    events = ask(satker_a, question="siapa pemenang piala dunia sepakbola 1998")
    assert events[-1]["degraded"] == "no_match" and events[-1]["handoff_first"]
    assert "tidak menebak" in text_of(events) or "tidak akan menebak" in text_of(events)
    assert gemini.answers == []


def test_english_questions_get_english_replies(satker_a, gemini, settings, db):
    settings.HALOPST_GEMINI_API_KEY = ""
    events = ask(satker_a, question="What is the poverty line and how is it calculated?")
    reply = text_of(events)
    assert "without its AI helper" in reply and "An officer can help you further." in reply
    assert "written in Indonesian only" in reply  # the entries found are Indonesian
    assert events[-1]["sources"][0]["slug"] == "garis-kemiskinan"


def test_personal_data_is_scrubbed():
    text = (
        "Nama saya Budi Santoso, NIK 3515012345678901, hubungi 0812-3456-7890 atau +62 813 1111 2222 "
        "dan budi.s@example.com"
    )
    scrubbed = services.scrub_personal_data(text)
    for secret in ("Budi", "3515012345678901", "3456", "1111", "budi.s@example.com"):
        assert secret not in scrubbed
    assert "[NIK]" in scrubbed and "[telepon]" in scrubbed and "[email]" in scrubbed and "[nama]" in scrubbed


def test_corrected_answer_becomes_scrubbed_knowledge(satker_a, gemini, db):
    done = ask(satker_a, question="Nama saya Siti Aminah, berapa garis kemiskinan? WA saya 081234567890")[-1]
    officer = create_user(satker_a, "rina@a.example", role=Role.OFFICER)
    consumer = create_user(satker_a, "c@a.example")
    with schema_context(satker_a.schema_name):
        answer = Message.objects.get(pk=done["message"])
        services.mark_helpful(answer, False)
        with pytest.raises(ValidationError):
            services.review_answer(answer, consumer, verdict="incorrect")
        review = services.review_answer(
            answer,
            officer,
            verdict="incomplete",
            corrected_text="GK Sidoarjo Maret 2023 lihat publikasi. Hubungi 081234567890.",
        )
        entry = KnowledgeEntry.objects.get(pk=review.knowledge_entry_id)
        assert entry.origin == Origin.REVIEWED
        assert "Siti" not in entry.title and "081234567890" not in entry.title + entry.body
        assert AnswerReview.objects.count() == 1
        from aida.retrieval import search

        assert entry in [hit.entry for hit in search("GK Sidoarjo Maret 2023")]


def test_review_queue_puts_unhelpful_answers_first(satker_a, gemini, db):
    first = ask(satker_a)[-1]["message"]
    second = ask(satker_a, question="berapa inflasi bulan ini")[-1]["message"]
    with schema_context(satker_a.schema_name):
        services.mark_helpful(Message.objects.get(pk=first), False)
    officer = create_user(satker_a, "rina@a.example", role=Role.OFFICER)
    page = client_for(satker_a, officer).get("/aida/tinjauan/").content.decode()
    assert page.index(f'value="{first}"') < page.index(f'value="{second}"')


def test_handoff_fills_the_booking_form(satker_a, gemini, db):
    from tests.booking.conftest import at, make_officer, next_weekday

    officer = make_officer(satker_a, "rina@a.example")
    consumer = create_user(satker_a, "andi@example.com")
    client = client_for(satker_a, consumer)
    session_key = client.cookies["sessionid"].value
    done = ask(satker_a, user=consumer, session_key=session_key)[-1]
    assert client.get(done["handoff"]).status_code == 405  # a link elsewhere cannot record a handoff
    response = client.post(done["handoff"])
    # To the officers of the expertise the question is about, the question carried along.
    assert response.status_code == 302 and response["Location"] == "/petugas/?keahlian=kemiskinan-kesejahteraan"
    directory = client.get(response["Location"]).content.decode()
    assert "berapa garis kemiskinan sidoarjo" in directory and "/keahlian/kemiskinan-kesejahteraan/jadwal/" in directory
    starts = at(satker_a, next_weekday(satker_a.timezone, 0), 8).isoformat()
    form = client.get("/konsultasi/baru/", {"petugas": officer.pk, "mulai": starts}).content.decode()
    assert "berapa garis kemiskinan sidoarjo" in form and "Pertanyaan untuk AIDA" in form
    # Someone else's answer cannot be handed off (or rated) from another session.
    stranger = client_for(satker_a, create_user(satker_a, "lain@example.com"))
    assert stranger.post(done["handoff"]).status_code == 404
    assert stranger.post(f"/aida/jawaban/{done['message']}/nilai/", {"helpful": "no"}).status_code == 404


def test_conversations_knowledge_and_quota_of_a_are_invisible_from_b(satker_a, satker_b, gemini, db):
    from shared_knowledge.entries import EntryData

    with schema_context(satker_a.schema_name):
        services.save_entry(
            None, EntryData(title="Angka stunting khusus Sidoarjo", body="Rahasia dapur A.", tags="stunting")
        )
    consumer = create_user(satker_a, "andi@example.com")
    client_a = client_for(satker_a, consumer)
    done = ask(satker_a, user=consumer, session_key=client_a.cookies["sessionid"].value)[-1]
    client_b = client_for(satker_b)
    assert client_b.get("/api/v1/knowledge/search/", {"q": "stunting sidoarjo"}).json() == []
    assert client_a.get("/api/v1/knowledge/search/", {"q": "stunting sidoarjo"}).json()[0]["title"].startswith("Angka")
    assert client_b.post(done["handoff"]).status_code == 404
    assert "Rahasia" not in client_b.get("/aida/").content.decode()
    assert ledger_for(satker_b).requests_used == 0 and ledger_for(satker_a).requests_used == 1


def test_anonymous_visitors_are_rate_limited(satker_a, settings, db):
    settings.HALOPST_GEMINI_API_KEY = ""
    settings.HALOPST_RATE_LIMITS = {**settings.HALOPST_RATE_LIMITS, "aida_question": {"person": (2, 3600)}}
    client = client_for(satker_a)
    client.get("/aida/")
    statuses = [client.post("/aida/tanya/", {"question": "berapa inflasi"}).status_code for _ in range(3)]
    assert statuses[:2] == [200, 200] and statuses[2] == 429
    assert client.post("/aida/tanya/", {"question": ""}).status_code in (400, 429)
