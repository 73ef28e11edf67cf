"""What a chat session must see, read from the page's outputs as an HTTP client gets them: the cards,
the chat transcript and the side panel. Pure functions, so the checks can be tested without a server.

Cross-talk means a session sees something that is not its own: another session's messages in its
transcript, cards that are not the list it was shown, or another session's request, clicks or filters
in its panel. Each check returns a list of problems (strings; empty when all is well).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CARD = re.compile(r"^\*\*(\d+)\. (.+?)\*\*(?: \((\d{4})\))?")
GENRES = re.compile(r"<span class='genres'>(.*?)</span>")
REPLY_ROW = re.compile(r"^\s*(\d+)\. \*\*(.+?)\*\*(?: \((\d{4})\))?\s*$", re.M)
PANEL_FIELD = re.compile(r"^\*\*(.+?):\*\*\s?(.*)$", re.S)
NONE = "–"  # what the panel shows for an empty field


@dataclass
class SessionSpec:
    """One scripted session. Every session asks about a different title (its marker) and excludes a
    different genre, so anything of another session's that shows up in its panel or cards is visible."""

    index: int
    title: str  # the title its request names, as typed
    message: str  # a free-form first request naming `title`
    exclude: str  # the genre its refinement excludes (the catalogue's spelling)
    click_position: int = 2  # the card it marks as seen

    @property
    def refinement(self) -> str:
        return f"no {self.exclude.lower()}"


# Titles and genres present in MovieLens 100K and in the tests' fake catalogue, all linked unambiguously
# by the rule parser; no title is a word of another session's message.
SPECS = [
    ("Alien", "something like Alien but funnier", "War"),
    ("Fargo", "a darker film like Fargo", "Romance"),
    ("Toy Story", "something like Toy Story for a family evening", "Horror"),
    ("Casablanca", "an old romance like Casablanca", "Comedy"),
    ("Star Wars", "space adventures like Star Wars", "Drama"),
    ("Groundhog Day", "a clever comedy like Groundhog Day", "Action"),
    ("Jurassic Park", "dinosaurs and adventure like Jurassic Park", "Thriller"),
    ("Blade Runner", "moody science fiction like Blade Runner", "Crime"),
    ("Men in Black", "something silly like Men in Black", "Fantasy"),
    ("Clueless", "a teen comedy like Clueless", "Adventure"),
    ("Scream", "a slasher like Scream", "Animation"),
    ("Twister", "disaster movies like Twister", "Sci-Fi"),
]


def default_specs(n: int) -> list[SessionSpec]:
    if not 1 <= n <= len(SPECS):
        raise ValueError(f"sessions must be between 1 and {len(SPECS)} (each needs its own request), not {n}")
    return [SessionSpec(i, *SPECS[i]) for i in range(n)]


# --- reading the outputs ----------------------------------------------------------------------------
def unescape(text: str) -> str:
    """Undo recommender.chat.markdown.escape."""
    return re.sub(r"\\(.)", r"\1", text)


def card_header(text: str) -> str:
    """The card's first paragraph ("**2. Title** (1995) genres"): what identifies the item."""
    return text.split("\n\n", 1)[0]


def card_title(text: str) -> str:
    """'Title (1995)' as the panel writes it."""
    m = CARD.match(text)
    if not m:
        return ""
    return unescape(m.group(2)) + (f" ({m.group(3)})" if m.group(3) else "")


def card_genres(text: str) -> list[str]:
    m = GENRES.search(text)
    return [g.strip() for g in m.group(1).split("·") if g.strip()] if m else []


def message_text(message: dict) -> str:
    """A chatbot message's text: gradio 6 sends content as a list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


def panel_fields(panel: str) -> dict[str, str]:
    """'**Seen:** Heat (1995)' paragraphs -> {"Seen": "Heat (1995)"} (values unescaped)."""
    fields = {}
    for paragraph in (panel or "").split("\n\n"):
        m = PANEL_FIELD.match(paragraph.strip())
        if m:
            fields[m.group(1)] = unescape(m.group(2).strip())
    return fields


# --- checks -----------------------------------------------------------------------------------------
def check_transcript(chat: list[dict], sent: list[str], turns: int) -> list[str]:
    """The chat column holds exactly this session's messages, in order, and one reply per turn."""
    users = [message_text(m) for m in chat if m.get("role") == "user"]
    replies = sum(1 for m in chat if m.get("role") == "assistant")
    problems = []
    if users != sent:
        foreign = [u for u in users if u not in sent]
        problems.append(f"transcript: user messages {users!r}, sent {sent!r}"
                        + (f" (not this session's: {foreign!r})" if foreign else ""))
    if replies != turns:
        problems.append(f"transcript: {replies} replies after {turns} turns")
    return problems


def check_reply(chat: list[dict], cards: list[str]) -> list[str]:
    """The reply's numbered list names the same titles as the cards it came with."""
    if not chat or "Here are" not in (reply := message_text(chat[-1])):
        return []
    listed = [unescape(m.group(2)) + (f" ({m.group(3)})" if m.group(3) else "")
              for m in REPLY_ROW.finditer(reply.rsplit("Here are", 1)[1])]
    titles = [card_title(c) for c in cards]
    return [] if listed == titles else [f"reply lists {listed!r} but the cards show {titles!r}"]


def check_cards(cards: list[str], seen: list[str], excluded: list[str]) -> list[str]:
    """The session's own state holds on its cards: nothing it marked seen, no genre it excluded."""
    problems = []
    for card in cards:
        title = card_title(card)
        if not title:
            problems.append(f"card is not 'N. Title (year)': {card[:80]!r}")
        if title in seen:
            problems.append(f"card {title!r} was marked seen in this session")
        if bad := set(card_genres(card)) & set(excluded):
            problems.append(f"card {title!r} has the excluded genre {sorted(bad)}")
    return problems


def check_panel(panel: str, spec: SessionSpec, others: list[SessionSpec], seen: list[str],
                excluded: list[str], asked: bool) -> list[str]:
    """The panel shows this session's request, clicks and filters, and no other session's."""
    fields = panel_fields(panel)
    problems = []
    if (got := fields.get("Seen")) != (want := ", ".join(sorted(seen)) or NONE):
        problems.append(f"panel: Seen is {got!r}, this session marked {want!r}")
    if (got := fields.get("No genres")) != (want := ", ".join(sorted(excluded)) or NONE):
        problems.append(f"panel: No genres is {got!r}, this session excluded {want!r}")
    request = " ".join(fields.get(k, "") for k in ("Request", "Like", "Liked")).lower()
    if asked and not re.search(rf"\b{re.escape(spec.title.lower())}\b", request):
        problems.append(f"panel: the request does not show this session's {spec.title!r}: {request!r}")
    for other in others:
        if re.search(rf"\b{re.escape(other.title.lower())}\b", request):
            problems.append(f"panel: the request shows session {other.index}'s {other.title!r}: {request!r}")
    return problems


def check_refresh(texts, expected: list[str]) -> list[str]:
    """A redraw of the cards shows the list this session was shown (explanations aside), nothing else."""
    if not isinstance(texts, (list, tuple)) or not all(isinstance(t, str) for t in texts):
        return [f"refresh returned no cards ({type(texts).__name__}) while the session shows {len(expected)}"]
    got = [card_header(t) for t in texts if t]
    want = [card_header(t) for t in expected]
    if got != want:
        return [f"refresh shows {[card_title(t) for t in got]!r}, the session was shown "
                f"{[card_title(t) for t in want]!r}"]
    return []
