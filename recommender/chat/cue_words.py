"""The words and patterns the rule parser (`recommender.chat.parse`) reads a message with: commands
("reset", "more"), general asks, the cue words that say what to do with a title or a listed position,
prompt-injection phrases, filler, and the hints that a message is not in English."""

from __future__ import annotations

import re

from recommender.chat.phrases import CARDINALS

RESET = re.compile(
    r"\s*(?:please\s+)?(?:reset|start over|start again|restart|clear( all| everything)?|new search)\W*", re.I)
# the words of any reset, inside a longer message too ("ok forget all that, what's a good horror comedy"): the
# model also reset on "go back to the thrillers", which forgot every film the person had marked
RESET_WORDS = re.compile(r"\b(?:reset|start(?:ing)?\s+(?:over|again|afresh|fresh|from scratch)|restart|clear|new search"
                         r"|forget|from scratch|begin again|fresh start|wipe|never\s*mind|scratch that)\b", re.I)
MORE = re.compile(
    r"\b(?:(?:show|give)\s+(?:me\s+)?(?:some\s+)?)?(?:more|next|others?|other ones|something else|anything else|"
    r"different ones|new ones|something different|nothing like (?:these|those|them|that)|what else|"
    r"none of (?:these|those|them)(?: really)? (?:appeals?|interests?|grabs?|works?|does it)(?: for me| to me)?|"
    r"none of (?:these|those|them)(?: really)? (?:is|are|seems?|looks?|sounds?) (?:(?:really|very|that|any|all that)\s+)?"
    r"(?:for me|my (?:thing|type|style|cup of tea)|good|interesting|appealing|great|fun)|"  # "none of these are for me"
    r"^(?:nah|meh|nope|none of (?:these|those|them)|not (?:these|those)(?: ones)?)(?=\W*$)|"  # a bare "nah": the list shown
    r"^(?:(?:nah|nope|no)\W+)?nothing like (?:these|those|them)(?=\W*$)|"  # is rejected; "nope, nothing like these"
    r"not (?:feeling|into|in the mood for|keen on|interested in|excited about) any of (?:these|those|them)|(?:recommend|suggest|show me|pick|watch) instead)(?:\s+(?:please|pls|ones|of (?:those|these|them)|results|suggestions|picks))*\b", re.I)
POPULAR = (r"\b(?:something|anything|movies?|films?|a movie|a film|one|ones|the kind|(?:a\s+)?classics?)\s+(?:that\s+)?(?:popular|"
           r"(?:every(?:one|body)|most people|all my friends)(?:'s| has| have| should(?: have)?| must(?: have)?| needs? to)?"
           r"\s+(?:seen|watched|see|watch|likes?|loves?)(?:\s+(?:at least )?once(?: in (?:their|your) li(?:fe|ves))?)?|"
           r"mainstream|well[\s-]known|crowd[\s-]pleas(?:ing|er)|"
           r"(?:i|we)\s+(?:haven'?t|have not|havent|never|didn'?t|did not)\s+(?:yet\s+)?(?:seen|watched|see|watch)"
           r"(?:\s+(?:yet|before))?)\b")  # "something i haven't seen": the list leaves out what the person has seen
GENERAL_ASK = re.compile(
    r"\b(?:what should (?:i|we) watch|what (?:can|could) (?:i|we) watch|what to watch|recommend (?:me )?(?:something|a movie|"
    r"a film|anything)|suggest (?:something|a movie|a film|anything)|surprise me|any (?:suggestions|recommendations|ideas)|"
    # "something random", "you pick": the model read off-topic ("I can only help you choose movies")
    r"(?:something|anything|a)\s+(?:at\s+)?random(?:\s+(?:movie|film|pick|one))?|random\s+(?:movie|film|pick)s?|"
    r"you (?:pick|choose|decide)|dealer'?s choice|(?:i'?m|i am) (?:open to|up for) anything|"
    r"what'?s (?:good|popular|hot|trending)|what'?s an? (?:good|great|nice) (?:movie|film|one)(?: to watch)?|"
    r"(?:i'?m|i am|so|we'?re) bored|entertain (?:me|us)|"
    r"what (?:do you think |would you say )?(?:i|we)(?:'?d| would| will| might)? (?:like|enjoy|love)|"  # "what do you think I'd like?"
    r"what (?:would|will|might|do) (?:i|we) (?:like|enjoy|love)|"  # "what would I like?"
    r"what do you think(?=\s*\??\s*$)|"  # the same, once "I'd like" was read as a request cue
    r"what (?:would|do|can|could|should|will) you (?:recommend|suggest|pick)|what (?:do|would) you have|"
    r"(?:give|get) me (?:some |a few )?(?:recommendations|recs|suggestions|picks)|(?:some|any|got any) (?:recs|picks)|"
    r"(?:pick|find|choose) (?:me )?(?:something|a movie|a film|one)|help me (?:pick|choose|find) (?:something|a movie|a film|one)|"
    r"(?:something|anything|a (?:movie|film))\s+(?:really\s+|very\s+)?(?:good|great|decent|nice|watchable|worth (?:watching|seeing))|"
    r"(?:some|any)\s+(?:good|great|decent)\s+(?:movies?|films?|ones?|stuff)(?=\s*[?.!]*\s*$)|"  # "something good", "any good movies?"
    r"(?:something|anything)\s+new(?:\s+(?:to (?:me|watch)|for me))?(?=\s*[?.!]*\s*$)|"  # "something new": picks, not “new”
    r"what should (?:i|we) (?:see|put on)|(?:what'?s|what is|what are|which is|which are)\s+(?:the|your)\s+(?:very\s+)?"
    r"(?:best|greatest|top)\s+(?:movies?|films?)(?:\s+(?:ever(?:\s+made)?|of all time|in history|out there))?|" + POPULAR + r")(?:\s+(?:for|to) (?:me|us))?\b"
    r"(?:\s+(?:right now|tonight|today|now|these days|this weekend))?\s*\??", re.I)
OPEN_ASK = re.compile(POPULAR, re.I)  # read before the cues: "a movie everyone has seen" marks nothing seen
VAGUE_SHARE = r"(?:most|many|half|a lot|a bunch|several|some) of"  # a share of the list that names no film
SEEN_MOST = re.compile(  # "hmm, seen most of those": show others (no film is named, so none is marked seen)
    rf"\b(?:(?:i'?ve|i have|we'?ve|we have)\s+)?(?:already\s+)?(?:seen|watched) {VAGUE_SHARE} (?:these|those|them|'em)\b",
    re.I)
REPEATS = re.compile(  # "seen groundhog day like 20 times": how often, not a film like it
    r"\b(?:like\s+)?(?:\d+|a (?:million|hundred|thousand|dozen|few|bunch of)|(?:so |too )?many|several|a lot of|"
    r"two|three|four|five|ten|twenty|a hundred|hundreds of|countless)\s+times\b|\blike\s+(?:twice|once)\b", re.I)
GENRE_NOUNS = [f"{g}{s}" for g in ("western", "comedy", "thriller", "drama", "horror", "romance", "musical", "cartoon",
                                   "mystery", "war film", "crime film", "action film", "sci-fi", "sci fi", "scifi",
                                   "adventure", "fantasy", "noir", "documentary") for s in ("", "s")]
# "what do people who liked Fargo watch?" said "Noted, you liked: Fargo": others' taste is a reference
OTHERS_TASTE = (r"\b(?:people|folks|those|someone|anyone|everyone|others|viewers|fans)\s+(?:who|that)\s+(?:also\s+)?"
                r"(?:liked|loved|enjoyed|likes?|loves?|enjoys?|watched)\b|\bfans\s+of\b|\bif\s+you\s+(?:liked|loved|enjoyed)\b")
CUES = [  # (action, pattern), matched in this order; "request" cues ask for something, they like nothing
    ("request", r"\b(?:i'?d|i would|we'?d|would)\s+(?:really\s+)?like\b|\blike\s+to\s+(?:see|watch)\b|\bfeel like\b"),
    ("disliked", r"\b(?:hated|hate|disliked|dislike|didn'?t like|did not like|don'?t like|do not like|not a fan of"
                 r"|couldn'?t stand|can'?t stand|never (?:really )?(?:liked|enjoyed|cared for|got into)"
                 r"|(?:wasn'?t|was not|i'?m not|not) (?:a |much of a )?(?:big |huge )?fan of|couldn'?t get into)\b"),
    ("unseen", r"\b(?:haven'?t|haven’t|have not|havent|never|didn'?t|did not|not)\s+(?:yet\s+|ever\s+)?(?:seen|watched|saw|see|watch)\b"),
    ("seen", r"(?:\b(?:i'?ve|i have|we'?ve|we have)\s+)?(?:\balready\s+)?\b(?:seen|watched|saw)\b"),
    ("excluded", r"(?:\b(?:nothing|not|none|nowhere near)\s+(?:\w+\s+)?like|\bunlike)\b"  # "nothing like titanic",
                 r"(?=\s*$|\s+(?!(?:it|that|this|them|those|these|one|ones|anything|everything|a|an)\b)\S)"),  # not "… like it"
    ("excluded", r"\bnot (?:that|this) one\b|(?:(?<=\w\W)|(?<=\w\W\W))nope\b|\b(?:skip|remove|drop|hide)\b"  # "#3 nope", not "nope" (MORE)
                 r"|\b(?:swap|replace|switch)(?:\s+out)?\b(?!\s+in\b)|\bget rid of\b"),  # not "swap in some horror"
    ("excluded_word", r"\b(?:not|no|without|(?:aren|isn)['’]?t|except(?:\s+for)?|other than|besides|apart from|excluding)\b"),
    # only about the title or reference right after it: "movies set in space that aren't star wars"
    ("references", r"\b(?:something|anything|movies?|films?|stuff|ones?|more|others?)\s+(?:just\s+)?(?:like|liek|lik)\b"
                   r"|\bsimilar to\b"
                   r"|\b(?:something|anything|movies?|films?|stuff|ones?|more)\s+(?:\w+\s+)?similar\b"  # "anything similar"
                   r"|\b(?:recommend|suggest|show|find|give|get)\s+(?:me\s+|us\s+)?(?:some(?:thing)?\s+)?similar\b"
                   r"|(?:" + "|".join(f"(?<=\\b{noun} )" for noun in GENRE_NOUNS) + r")like\b"  # "a western like unforgiven"
                   r"|\belse\s+(?:(?:that'?s|is|are)\s+)?like\b|\bwhat'?s\s+like\b"  # "what else is like them"
                   r"|\bin the (?:vein|style|spirit) of\b|\balong the lines of\b"
                   r"|" + OTHERS_TASTE +
                   r"|(?<=, )(?<=\w, )more of(?=\s+(?:that|this|it)\b)"  # "heat rocks, more of that": more like Heat
                   r"|\b(?:along|on)\s+(?:those|these|the same|similar)\s+lines\b"
                   r"|\bin (?:the same|that|this|a similar) (?:vein|spirit|style)\b"  # "like X": a request, not a rating
                   r"|(?<!\bi )(?<!\bwe )(?<!really )(?<!\bdo )(?<!also )(?<!kinda )(?<!still )(?<!\bu )"
                   r"\blike\b(?=\s+(?:[\"“]|[A-Z0-9]))"  # "scifi horror like Alien": no one is liking
                   r"|^\W*like\b(?=\s+(?!(?:it|that|this|them|those|these|one|ones|all|every|most|the (?:first|second|"
                   r"third|last|other)|#|\d)\b)\w|\s*$)"),  # "like titanic" said "Noted, you liked: Titanic"
    ("liked", r"\b(?:like|loved|love|liked|enjoyed|enjoy|adored|adore|fan of|favou?rite)\b"),
]
CUES = [(action, re.compile(p, re.I)) for action, p in CUES]
INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules|prompt|above|previous|guidelines)\b"
    r"|\bsystem\s+prompt\b|\byou are now\b|\bact as\b|\bpretend (?:to be|you)\b|\bjailbreak\b|\bdeveloper mode\b",
    re.I | re.S)
# Words that carry no request on their own: a remainder made only of these is not a query.
FILLER = frozenset(
    """a an the i i'd i'm i've me my we us you your it its this that these those some any something anything and
    or but so with of for to from in on at by please pls thanks thank ok okay yes no not just also too really very
    want wanted would like love loved liked enjoy enjoyed show give recommend suggest find get see watch seen
    watched movie movies film films one ones more other others something else is are was be can could maybe
    hi hello hey well then now again similar only just them all everything those these there here what how
    who good great cool nice sure fine morning evening afternoon bye goodbye cheers about tonight tonite today
    weekend showed shown suggested listed recommended best greatest top ever time rated highest popular critically highly reviewed
    acclaimed favorite favourite ish old classic classics lol tbh imo idk haha lmao honestly plz thx em stuff
    flick flicks hmm hmmm hm eh meh ugh um umm oh ah smth sth somethin sumthin summat anythin still that's thats it's
    bored whats u ur ya have has got he's she's they're hes shes theyre he she they actually""".split()
)
ENGLISH_HINTS = frozenset(
    """the a an i me my you and or but of in on with like want something movie movies some from for is are to please
    not no more show give seen watch love loved good funny that this it what any anything similar recommend""".split()
)
FOREIGN_HINTS = frozenset(  # French, Spanish, German, Italian and Portuguese words English rarely uses
    """le la les des du une et est pas pour avec sur qui que je voudrais el los las una y con por para del quiero
    der das und ein eine nicht mit ich il di che per gli um uma com não""".split()
)
CONNECTORS = re.compile(  # left over at either end once titles and filters are cut out
    r"^(?:\W|\b(?:and|but|or|with|from|please|so|also|then|a|an|the)\b)+"
    r"|(?:\W|\b(?:and|but|or|with|from|please|so|also|then)\b)+$", re.I)

LOOKS_GOOD = re.compile(  # "the 4th and 6th look fun": positions liked by words after them
    r"^\W*(?:(?:the|and|&|,|both)\W*)*(?:ones?\s+)?(?:looks?|sounds?|seems?)\s+(?:really\s+|pretty\s+|so\s+|kinda\s+|"
    r"very\s+)?(?:good|great|fun|interesting|cool|promising|amazing|nice|cute|awesome|fantastic|perfect)\W*$", re.I)

ALL_EXCEPT = re.compile(  # "seen all of them except babe", "seen all of these but #8"
    r"\b(?:(?:them|'em) all|all(?: of (?:them|'em|these|those))?|everything|every one(?: of them)?)\s*,?\s*"
    r"(except(?:\s+for)?|but(?!\s+also)|apart from|other than|besides|save for|minus)\s", re.I)
NOT_FOR_ME = re.compile(  # "the first one's not for me, show others": positions turned down by words after them
    r"^\W*(?:(?:the|and|&|,|both)\W*)*(?:ones?\s*)?(?:'s|’s|is|are|was|were)?\s*(?:really\s+|just\s+)?"
    r"(?:not (?:really )?(?:for me|for us|my (?:thing|type|kind of (?:thing|movie|film)|cup of tea|style))"
    r"|(?:isn'?t|aren'?t|wasn'?t) (?:really )?(?:for me|for us|my (?:thing|type|cup of tea|style))"
    r"|(?:doesn'?t|don'?t) (?:appeal|interest me|do it for me|grab me)"
    r"|(?:looks?|sounds?|seems?) (?:really |pretty |kinda )?(?:boring|dull|bad|meh|terrible|awful|lame)"
    r"|(?:(?:looks?|sounds?|seems?|feels?) )?(?:(?:way|a bit|a little|just|much|far|kinda|really) )?too (?:heavy|dark|sad|long|slow|"
    r"violent|depressing|intense|scary|gory|grim|bleak|serious|much|old|bloody|gruesome|disturbing)"  # "X is too heavy for tonight"
    r"|(?:a\s+)?(?:no thanks|no thank you|pass|nope)"
    r"|[\w' -]{1,30}?[,.!;]\s*(?:no thanks|no thank you|not for me|not interested|pass|nope))\b", re.I)  # "#6 is a chick flick, no thanks"

# "give me 5 good thrillers", "top 3 comedies", "just two movies": how many picks to show
COUNT = re.compile(  # the number starts the message or follows a word that asks ("my 2 kids love cartoons": no count)
    r"(?:^\W*|\b(?:give|show|get|find|recommend|suggest|list|need|want|pick|name|top|just|only|me|us)\s+)"
    r"(\d{1,2}|" + "|".join(CARDINALS) + r")\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:movies|films|picks|options|suggestions|recommendations|recs|titles|flicks|ones|comedies|thrillers|dramas|"
    r"westerns|musicals|mysteries|documentaries|romances|romcoms|horrors|cartoons|classics|more)\b"
    r"|\b(?:just|only)\s+(one|a\s+single|1)\s+(?:good\s+)?(?:movie|film|pick|title|suggestion|recommendation)\b"  # "just one movie"
    r"|^\W*(?:(?:ok(?:ay)?|now|so)\W+)?(?:just|only)\s+(?:the\s+)?(?:top\s+)?(\d{1,2}|" + "|".join(CARDINALS) +
    r")(?:\s+(?:please|pls|of\s+(?:them|those|these)))*\W*$", re.I)  # "only 3 please": fewer picks of the same request
TOP_COUNT = re.compile(r"\btop\s+(\d{1,2}|" + "|".join(CARDINALS) + r")\b(?!\s*(?:%|percent))", re.I)  # "top 3 for me"
