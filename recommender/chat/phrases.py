"""The phrases the chat understands: genre words and references to listed items (years: `year_phrases`).

Each finder returns what it understood plus the character spans it used, so the parser can remove
them and treat whatever is left as the free-text request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

from recommender.chat.genre_words import GENRE_SYNONYMS
from recommender.title_text import tokens

Span = tuple[int, int]

VIOLENT_GENRES = ("action", "crime", "horror", "thriller", "war")
GROWN_UP = re.compile(  # "like Toy Story but for adults": no Children's; "that adults would enjoy too" is for all
    r"\bfor (?:adults|grown[\s-]*ups)\b|\badults? only\b|\bnot for (?:kids|children)\b|\bgrown[\s-]*up (?:movies?|films?)"
    r"|\b(?:adults|grown[\s-]*ups) (?:would|will|can|could|might) (?:like|enjoy)\b(?!\s+(?:too|as well|also))", re.I)
VIOLENCE = re.compile(r"\b(?:no|not|nothing|without|non|never|less|hates?|hated|can'?t stand|cannot stand|dislikes?|"
                      r"(?:don'?t|doesn'?t) (?:like|want|do))[\s-]*(?:(?:with|that'?s|that\s+is|involving|containing)\s+)?"
                      r"(?:too\s+|very\s+|so\s+|any\s+|much\s+|lots\s+of\s+|a\s+lot\s+of\s+)?violen(?:t|ce)\b|"
                      r"\bnon-?violent\b|\btoo (?:violent|bloody)\b|\btoo much (?:violence|blood)\b", re.I)  # "too violent": less
ASKS = re.compile(r"\?|^\W*(?:is|are|was|were|would|will|does|do|can|could|should)\b", re.I)
ORDINALS = {w: i + 1 for i, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split())}
CARDINALS = {w: i + 1 for i, w in enumerate("one two three four five six seven eight nine ten".split())}


NEGATING_PHRASES = re.compile(  # said before a genre, these negate it as "not" does
    r"\b(?:not (?:really )?in the mood for|not (?:a (?:big |huge )?fan of|into)|(?:sick|tired) of|fed up with|"
    r"had enough of|anything but|steer clear of|stay away from|too much|enough with|less of|(?:i'?m |am )?done with"
    r"|(?:can'?t|cannot|could ?n'?t) (?:stand|stomach|handle|deal with|take)"
    r"|(?<!not )(?<!n't )(?<!thing )(?<!none )too)\b",  # "these are all too sad"; "not too sad" is no wish either
    re.I)
CLAUSE_END = re.compile(r"[.;!?]|,\s*(?:but\s+)?|\bbut\b|\binstead\b", re.I)
ANSWER = re.compile(r"^\W*(?:no|nope|nah)\s*[,.!;:-]+", re.I)  # "no, I meant a war film" answers the last turn
NEGATIONS = frozenset("no not nothing without never none avoid skip hate hates dont don isn isnt aren arent nor "
                      "except excluding exclude neither nothin nuthin".split())
NOT_TYPOS = frozenset("bottle bottles spice spade fanny crimp prime actions auction scars scare scarf solder "
                      "dream comet romantics".split())  # real words one letter away from a genre word


def one_edit_apart(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap of neighbours turns `a` into `b` (a != b)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i:i + 2] == b[i:i + 2][::-1] and a[i + 2:] == b[i + 2:])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return short[i:] == long[i + 1:]


def _fold_phrase(text: str) -> str:
    return " ".join(t for t, _, _ in tokens(text))


COMPARATIVE = re.compile(r"\w+ier", re.I)  # "like Alien except funnier" wishes for more comedy: no negated genre


def _plurals(word: str) -> list[str]:
    """The word and its English plurals. (Every word once got "s" and "es": "doc" gave "doces", one letter
    from "does", so "does that exist" read as Documentary.)"""
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return [word, word[:-1] + "ies"]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return [word, word + "es"]
    if word.endswith("o"):
        return [word, word + "s", word + "es"]
    return [word, word + "s"]


class GenreHit(NamedTuple):
    """A genre phrase (or a typo of one) found in a message."""

    start: int
    end: int
    said: str  # as written
    genres: tuple[str, ...]  # () where the phrase names no wish ("as a kid")


class GenreLexicon:
    """Maps the words people use ("comedies", "sci-fi", "scary") to the catalogue's genre names."""

    def __init__(self, genres: Iterable[str]):
        self.phrases: dict[str, tuple[str, ...]] = {}  # "rom com" is Comedy and Romance
        for genre in sorted(set(genres)):
            folded = _fold_phrase(genre).replace(" ", "")
            if not folded or folded == "unknown":
                continue
            words = [_fold_phrase(genre)] + GENRE_SYNONYMS.get(folded, [])
            for phrase in words:
                head, _, last = phrase.rpartition(" ")
                for form in _plurals(last):
                    key = f"{head} {form}".strip()
                    self.phrases[key] = tuple(dict.fromkeys(self.phrases.get(key, ()) + (genre,)))
        # single words of the genre phrases ("war", "comedies"): never titles on their own in chat
        self.words = frozenset(w for phrase in self.phrases for w in phrase.split())
        alternatives = sorted(self.phrases, key=len, reverse=True)
        word = "|".join(r"[\s\-]*".join(map(re.escape, p.split())) for p in alternatives) or r"(?!x)x"
        self.pattern = rf"(?:{word})(?:\s+(?:movies?|films?|ones|stuff))?"
        self._word = re.compile(rf"\b({word})\b", re.I)
        self._typo_targets = sorted(p for p in self.phrases if " " not in p and len(p) >= 5)

    def names(self, text: str) -> list[str]:
        """Genre names mentioned in `text`, in order, without repeats; a one-letter typo of a genre word
        counts too ("funy", "thrilers")."""
        return list(dict.fromkeys(g for hit in self._hits(text) for g in hit.genres))

    def negated(self, text: str) -> list[str]:
        """Genres named only after a negation in the same clause ("I don't want anything scary", "not a
        drama", "i dont want it to be scary"; at most five words between them): "horror movies but not
        slasher stuff" negates no genre."""
        negated, said = [], []
        text = ANSWER.sub(lambda m: " " * len(m.group(0)), text)  # "no, I meant a war film" negates nothing
        for start, end, word, genres in self._hits(text):
            clause = CLAUSE_END.split(text[:start])[-1]  # "none of these. something funnier" wishes
            before = [t for t, _, _ in tokens(NEGATING_PHRASES.sub(" not ", clause))][-6:]
            enough = re.match(r"\s+enough\b", text[end:], re.I)  # "none of these are scary enough": a wish
            target = negated if set(before) & NEGATIONS and not COMPARATIVE.fullmatch(word) and not enough else said
            target += [g for g in genres if g not in target]
        return [g for g in negated if g not in said]

    def compared_away(self, text: str) -> list[str]:
        """Genres named after "than", "rather than" or "instead of" in their clause ("a sci fi film that's
        more about ideas than explosions"): what the person wants less of is no wish, unless they name it
        before too ("horror that's more funny than scary" wishes for horror)."""
        out = []
        for m in COMPARED.finditer(text):
            clause = CLAUSE_END.split(text[m.end():])[0]
            named_before = self.names(text[:m.start()])
            out += [g for g in self.names(clause) if g not in out and g not in named_before]
        return out

    def starts_phrase(self, text: str, at: int) -> bool:
        """Whether a genre phrase of the lexicon starts at `at` ("less serious ones" at 0)."""
        return self._word.match(text, at) is not None

    def leftover(self, text: str, ignore: frozenset[str]) -> list[str]:
        """Words of `text` in no genre phrase (a one-letter typo of a genre word counts as one), nor in `ignore`."""
        spans = [m.span() for m in self._word.finditer(text)]
        return [t for t, start, end in tokens(text) if t not in ignore and not self._misspelt(t)
                and not any(a <= start and end <= b for a, b in spans)]

    def _hits(self, text: str) -> list[GenreHit]:
        """Genre phrases in `text` and one-letter typos of genre words, by where they start: "somethin scarry
        but not to gory" left Horror out when only `names` read the typo as a wish."""
        hits = [GenreHit(m.start(), m.end(), m.group(0), self._genres(m)) for m in self._word.finditer(text)]
        hits += [GenreHit(start, end, token, genres) for token, start, end in tokens(text)
                 if (genres := self._misspelt(token))]
        return sorted(hits, key=lambda hit: hit.start)

    def _genres(self, match: re.Match) -> tuple[str, ...]:
        word = _fold_phrase(match.group(1)).replace("  ", " ")
        if word in ("kid", "kids") and _OWN_CHILDHOOD.search(match.string[max(0, match.start() - 12):match.start()]):
            return ()  # "i loved the lion king as a kid": the viewer's past, not a wish for children's films
        if word in ("kid", "kids", "children") and (_KIDS_AWAY.match(match.string[match.end():])
                                                    or _WITHOUT_THE.search(match.string[:match.start()])):
            return ()  # "kids are asleep", "a night without the kids": no children watching
        if word == "sad" and _VIEWER_FEELS.search(match.string[max(0, match.start() - 30):match.start()]):
            return ()  # "i'm sad, cheer me up" listed Cool Hand Luke first (Drama & Comedy): the viewer's mood
        return self.phrases[word]

    def _misspelt(self, token: str) -> tuple[str, ...]:
        if len(token) < 4 or token in self.words or not token.isalpha() or token in NOT_TYPOS:
            return ()
        for word in self._typo_targets:
            if word[0] == token[0] and one_edit_apart(token, word):
                return self.phrases[word]
        return ()

    def lookup(self, phrase: str) -> str | None:
        """The (first) genre a word or phrase names."""
        return next(iter(self.phrases.get(_fold_phrase(phrase), ())), None)


COMPARED = re.compile(r"\b(?:than|instead of)\b", re.I)
_OWN_CHILDHOOD = re.compile(r"\b(?:as|was|were)\s+(?:a\s+)?$", re.I)
# "a thriller for tonight, kids are asleep" listed The Transformers first (Thriller & Children's): the children
# are away, not watching
_KIDS_AWAY = re.compile(r"^(?:'re|\s+are|\s+have\s+gone|\s+went|\s+finally)?\s*(?:(?:fast|finally|all)\s+)?(?:asleep|sleeping|"
                        r"in\s+bed|(?:gone\s+)?to\s+bed|away|out|at\s+(?:school|camp|grandma'?s|their)|gone|not\s+home)\b"
                        r"|^\s+(?:finally\s+)?(?:went|go|gone)\s+to\s+(?:bed|sleep)\b", re.I)
_WITHOUT_THE = re.compile(r"\b(?:without|no|away\s+from)\s+(?:the\s+)?$", re.I)


def kids_away(text: str) -> bool:
    """Whether the message says the children are not watching ("kids are asleep", "a night without the kids")."""
    return any(_KIDS_AWAY.match(text[m.end():]) or _WITHOUT_THE.search(text[:m.start()])
               for m in re.finditer(r"\b(?:kids?|children)\b", text, re.I))


_VIEWER_FEELS = re.compile(r"\b(?:i'?m|i\s+am|i\s+feel|feeling|i'?ve\s+been|been)\s+(?:(?:a\s+)?(?:bit|little|kinda|really|very"
                           r"|so|pretty|quite)\s+)?$", re.I)


@dataclass
class GenreFilters:
    exclude: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    clear: bool = False  # "any genre"
    spans: list[Span] = field(default_factory=list)
    violent: list[str] = field(default_factory=list)  # excluded only because violence was ("less violent")


def find_genre_filters(text: str, lexicon: GenreLexicon) -> GenreFilters:
    """'no horror', 'not horror or thrillers', 'only comedies', 'any genre'. Plain genre words in a
    request ("a funny romance") are not filters: they stay in the query."""
    out = GenreFilters()
    g = lexicon.pattern
    joiner = r"(?:\s*(?:/|\bor\b|\band\b|\bnor\b|,\s*(?:or|nor|and|no)\b)\s*(?:no\s+|any\s+|for\s+)?|\s+)"
    # a comma continues the list only in a series ("no horror, thrillers or war"), not in "too much drama, lighten up"
    listed = rf"(?:{g}(?:\s*,\s*{g})+\s*,?\s*(?:or|nor|and)\s+(?:no\s+)?{g}|{g}(?:{joiner}{g})*)"
    negative = re.compile(
        rf"(?:\b(?:no|not|without|w/o|except|excluding|exclude|avoid|skip|hate|nothing|none|less|fewer"
        rf"|swap(?: out)?|replace|trade(?: out)?|switch out"  # "swap the horror ones for comedies"
        rf"|don'?t (?:want|like|need)|do not (?:want|like|need)|no more|not into"
        rf"|won'?t (?:watch|do|sit through)|will not watch|(?:can'?t|cannot|never) watch|refuses? to watch"
        rf"|drop|ditch|remove|lose|get rid of|cut(?: out)?|scrap|nix|leave out)|{NEGATING_PHRASES.pattern})"
        rf"\s+(?:any\s+|more\s+|of\s+the\s+|the\s+|with\s+|too\s+|very\s+|so\s+|an?\s+|about\s+)?(?:anything\s+)??"
        rf"(?:(?:anything\s+)?(?!{g}\b)[a-z]+\s+(?:or|nor)\s+)??({listed})\b(?!\s+enough)", re.I)  # "won't watch anything sappy or musical"
    # "just romance, no kids stuff": ", no" starts an exclusion, it continues no list of wishes
    wished = rf"{g}(?:(?:\s*(?:/|\bor\b|\band\b|,\s*(?:or|and)\b)\s*(?:any\s+)?|\s+){g})*"
    positive = re.compile(rf"\b(?:only|just|exclusively|strictly)\s+(?:some\s+|a\s+|an\s+)?({wished})\b", re.I)
    for pattern, target in ((negative, out.exclude), (positive, out.include)):
        for m in pattern.finditer(text):
            if lexicon.starts_phrase(text, m.start()):  # "less serious" is a wish for comedy
                continue
            if target is out.exclude and COMPARATIVE.fullmatch(m.group(1)):
                continue
            target.extend(g for g in lexicon.names(m.group(1)) if g not in target)
            out.spans.append(m.span())
    for m in GROWN_UP.finditer(text):
        out.exclude.extend(g for g in [lexicon.lookup("children")] if g and g not in out.exclude)
        out.spans.append(m.span())
    for m in VIOLENCE.finditer(text):  # "nothing violent": every violent genre the catalogue has
        if m.group(0).lower().startswith("too") and ASKS.search(text):
            continue  # "is #2 too violent for a 13 year old?" asks; "too violent, something lighter" says
        new = [g for g in (lexicon.lookup(v) for v in VIOLENT_GENRES) if g and g not in out.exclude]
        out.violent += new  # a second "not violent" adds nothing, and takes nothing back
        out.exclude.extend(new)
        out.spans.append(m.span())
    for m in re.finditer(r"\b(?:any|all)\s+genres?\b|\bgenres? (?:don'?t|doesn'?t) matter\b", text, re.I):
        out.clear = True
        out.spans.append(m.span())
    return out



@dataclass
class Reference:
    """A reference to the last shown list: '#2', 'number 2', 'the second one', 'the last one'."""

    position: int  # 1-based; -1 = the last item
    start: int
    end: int


_ORDINAL = r"(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)"
_REFERENCE = re.compile(
    r"#\s*(\d{1,2})\b|\b(?:number|no\.|nr\.?|item)\s*(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b|\b(?:the\s+)?(10|[1-9])(?:st|nd|rd|th)\b(?!\s+century)"
    rf"|\b(?:the\s+)?{_ORDINAL}\s+(?:one|item|movie|film|pick)\b(?!\s+(?:that\s+)?(?:i|we)\b)"  # not "the last movie i watched"
    rf"|\b(?:the\s+)?{_ORDINAL}\b(?=\s*(?:$|[,.!?;]|and\b|or\b))",  # "seen the second", not "first contact"
    re.I,
)


NAMED_ONE = re.compile(r"\bthe\s+([^\W_][\w'’-]*(?:\s+[\w'’-]+){0,3}?)\s+(?:one|movie|film|flick)\b", re.I)


def find_named_on_list(text: str, listed: list[str]) -> list[Reference]:
    """"the alien one, is it gory?": a listed film named by words of its title and "one" (`listed`: the
    normalised titles on screen, in order). Only when exactly one listed title starts with those words, or
    holds them as one word of five letters or more."""
    refs = []
    for m in NAMED_ONE.finditer(text):
        words = " ".join(w for w, _, _ in tokens(m.group(1)))
        fits = [p for p, key in enumerate(listed, 1) if words and (key == words or key.startswith(words + " ")
                or (len(words) >= 5 and " " not in words and words in key.split()))]
        if len(fits) == 1:
            refs.append(Reference(fits[0], m.start(), m.end()))
    return refs


def find_references(text: str) -> list[Reference]:
    refs = []
    for m in _REFERENCE.finditer(text):
        word = next(g for g in m.groups() if g is not None).lower()
        position = -1 if word == "last" else ORDINALS.get(word) or CARDINALS.get(word) or int(word)
        refs.append(Reference(position, m.start(), m.end()))
    return refs
