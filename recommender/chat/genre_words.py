"""Everyday words for the catalogue's genres, as the rule lexicon (`phrases.GenreLexicon`) reads them.

Keyed by the folded genre name; plurals of a phrase's last word are added generically. One phrase may name
several genres ("rom com", "superhero"). Every word here is exact: the chat trusts it over the LLM's guess
(`merge.merge_rules`), so a word belongs here only when nearly every request that uses it means that genre.
A single word of a phrase is never read as a title on its own unless capitalised mid-sentence or quoted.
"""

# "my 8 year old", "a ten-year-old": a child's age (not "a 40 year old man")
_AGES = [str(n) for n in range(2, 15)] + "two three four five six seven eight nine ten eleven twelve".split()
KID_AGES = [f"{age} {unit} old" for age in _AGES for unit in ("year", "yr")]

GENRE_SYNONYMS = {
    "scifi": ["sci fi", "scifi", "science fiction", "sf", "space", "robot", "futuristic", "outer space",
              "alien invasion", "aliens invading", "invading aliens", "dinosaur", "extraterrestrial", "ufo", "spaceship",
              "time travel", "dystopian", "dystopia", "post apocalyptic", "apocalyptic", "with aliens", "about aliens",
              "w aliens", "cyberpunk", "astronaut"],  # "anythin w/ aliens n stuff?"
    "childrens": ["children", "childrens", "kids", "kid", "family", "children s", "kid friendly", "family friendly",
                  "dog", "animal", "talking animal", "pet", "disney", "pixar", "kiddy", "kiddie",
                  "childish"] + KID_AGES,
    "animation": ["animated", "animation", "cartoon", "anime", "claymation", "stop motion"],
    "filmnoir": ["noir", "film noir", "filmnoir"],
    "romance": ["romance", "romantic", "romcom", "rom com", "love story", "love stories", "date movie", "date night", "first date",
                "chick flick", "girls night", "love triangle"],
    "comedy": ["comedy", "comedies", "comic", "rom com", "romcom", "funny", "funnier", "hilarious", "comedic", "feel good",
               "feelgood", "lighthearted", "light hearted", "uplifting", "lighter", "happier", "cheerful", "upbeat",
               "goofy", "silly", "laughs", "laugh", "light", "something light", "light movie", "light film",
               "nothing heavy", "nothing too heavy", "not too heavy", "not in the mood for anything heavy",
               "fun", "more fun", "sillier", "less serious", "lighten up", "lighten it up", "cheer me up", "cheer up",
               "pick me up", "cozy", "cosy", "comfort movie", "comfort film", "comforting", "screwball", "slapstick",
               "parody", "parodies", "spoof", "satire", "satirical", "mockumentary", "chick flick"],
    "horror": ["horror", "scary", "scarier", "creepy", "creepier", "spooky", "halloween", "slasher", "zombie",
               "vampire", "werewolf", "haunted house", "terrifying", "frightening", "scare me",
               "gore", "gory", "gruesome", "scared", "scare", "frightened", "fright", "monster", "creature feature",
               "haunted", "splatter", "scare me silly", "scared silly", "scares me silly"],  # not Comedy
    "documentary": ["documentary", "documentaries", "doc", "docs", "docu", "docus", "docuseries"],
    "thriller": ["thriller", "suspense", "suspenseful", "more tense", "tense", "spy", "spies", "espionage", "twisty",
                 "plot twist", "twist ending", "psychological", "mind bending", "mindbending", "keep me guessing",
                 "keeps you guessing", "keep you guessing", "serial killer", "conspiracy", "conspiracies", "thrilling",
                 "exciting", "edge of my seat", "edge of your seat", "edge of the seat"],
    "war": ["war", "soldier", "battle", "wartime", "submarine", "ww2", "wwii", "ww1", "wwi", "world war", "vietnam",
            "military", "world war 2", "world war ii", "world war two", "world war 1", "world war i", "world war one"],
    "western": ["western", "cowboy", "wild west", "old west", "gunslinger", "gunfighter"],
    "musical": ["musical", "singing", "dancing", "song and dance", "with music", "music in it", "lots of music",
                "some music", "sing along", "singalong"],  # not "music" alone: "a documentary about music"
    "mystery": ["mystery", "mysteries", "whodunit", "detective", "private eye", "sleuth", "keep me guessing", "keeps you guessing",
                "keep you guessing"],
    "crime": ["crime", "gangster", "heist", "mob", "mobster", "mafia", "con artist", "con man", "conman", "swindler",
              "scam", "cop", "police", "cops and robbers", "detective", "private eye", "caper", "serial killer"],
    "fantasy": ["fantasy", "magic", "wizard", "dragon", "sword and sorcery", "fairy tale"],
    "drama": ["drama", "dramas", "sad", "sadder", "depressing", "tearjerker", "tear jerker", "weepy", "make me cry", "cry", "serious",
              "biopic", "biographical", "courtroom", "melodrama", "tragedy", "tragedies", "tragic"],
    "action": ["action", "explosion", "car chase", "shootout", "martial arts", "kung fu", "superhero", "super hero",
               "sword fight", "swordfight", "fight", "fighting", "spy", "spies", "exciting", "action packed",
               "adrenaline", "high octane"],
    "adventure": ["adventure", "adventures", "superhero", "super hero", "sword fight", "sword fighting", "swordfight",
                  "swashbuckler", "swashbuckling", "pirate", "treasure hunt", "treasure", "knight", "castle", "medieval", "epic", "dinosaur",
                  "more adventurous"],
}

# Words the lexicon reads as a genre that name less than the genre: a film about them is in the genre,
# but few films of the genre are about them. The reply says these were matched by genre only.
NARROW_TOPICS = ["killer robots?", "monsters?", "dinosaurs?", "submarines?", "creature features?", "robots?", "alien invasion", "(?:with|about|w/?) aliens", "time travel", "ufos?", "spaceships?", "talking animals?",
                 "dogs?", "zombies?", "vampires?", "werewol(?:f|ves)", "haunted houses?", "twist ending", "plot twist",
                 "spy", "spies", "espionage", "vietnam", "ww2", "wwii", "ww1", "wwi", "world war (?:one|two|i|ii|1|2)",
                 "heists?", "mafia", "con (?:artists?|man|men)", "cops?", "police", "wizards?", "dragons?", "courtroom",
                 "biopics?", "car chases?", "shootouts?", "martial arts", "kung fu", "superhero(?:es)?", "sword fights?",
                 "pirates?", "treasure hunts?", "knights?", "castles?", "medieval", "cyberpunk", "astronauts?",
                 "serial killers?", "conspirac(?:y|ies)", "capers?", "love triangles?", "treasures?",
                 "(?:set )?in (?:outer )?space", "outer space", "space (?:travel|exploration|battles?|stations?)"]
