"""What the chat does with a message the LLM intent model read (a scripted stand-in here; the real model
is in tests/test_chat_real.py): routing, missing data, questions, references, soft genre wishes."""

from __future__ import annotations

import pytest
from chat_fakes import FakeIntentParser, FakeRecommender, index_of, make_catalog

from recommender.chat.intent import Intent
from recommender.chat.list_questions import BEST_OF_THE_LIST
from recommender.chat.router import rules_are_exact
from recommender.chat.session import ChatEngine

CATALOG = make_catalog()
INTENTS = {
    "movies with Tom Hanks": Intent(action="request", people=["Tom Hanks"]),
    "a comedy with Tom Hanks": Intent(action="request", genres=["Comedy"], people=["Tom Hanks"]),
    "the one where a guy relives one day": Intent(action="request", plot=["a guy relives one day"]),
    "a dark and quirky comedy": Intent(action="request", genres=["Comedy"], rest=["dark", "quirky"]),
    "something like Alien but funnier": Intent(action="request", like=["Alien"], genres=["Comedy"]),
    "what is #1 about?": Intent(action="question", ask="about", item=1),
    "why did you recommend #2?": Intent(action="question", ask="why", item=2),
    "is #1 scary?": Intent(action="question", ask="fit", item=1, genres=["Horror"]),
    "I loved Forest Gump": Intent(action="feedback", liked=["Forest Gump"]),
    "I liked Star Wars": Intent(action="feedback", liked=["Star Wars"]),
    "what's the weather like": Intent(action="off_topic"),
    "start over, something romantic": Intent(action="reset", genres=["Romance"]),
    # readings the real intent model gave (tests/test_chat_real.py), which the rule lexicons correct
    "a feel-good movie": Intent(action="request", genres=["Romance"]),
    "something lighthearted and not violent": Intent(action="request", rest=["lighthearted"]),
    "a funny space adventure from the 80s": Intent(action="request", genres=["Comedy", "Adventure"]),
    "a thriller, nothing violent": Intent(action="request", genres=["Thriller"]),
    "a romantic comedy for date night": Intent(action="request", genres=["Romance"]),
    "any old black and white detective stories?": Intent(action="request", genres=["Mystery"],
                                                         rest=["old black and white"]),
    # the shipped model's readings of dev-set messages (eval/intent/dev2.jsonl), corrected by the rules
    "a love story that isn't cheesy": Intent(action="request", exclude_genres=["Romance"], rest=["cheesy"]),
    "fantasy adventure for the kids": Intent(action="request", genres=["Adventure"], exclude_genres=["Children's"]),
    "a scary movie made after 1990": Intent(action="request", genres=["Horror"], years="1990-1990"),
    "start over. something with soldiers": Intent(action="reset"),
    "somthing funy": Intent(action="request", genres=["Fantasy"]),
    "a comedy that's not very old": Intent(action="request", genres=["Comedy"], exclude_genres=["Romance"]),
    "i hate horror, give me some action": Intent(action="request", genres=["Horror"]),
    "hi! can you suggest a good movie for tonight?": Intent(action="request", genres=["Romance"]),
    "I need a movie for a rainy sunday afternoon": Intent(action="request", genres=["Drama"], exclude_genres=["Action"]),
    "thanks!": Intent(action="feedback", liked_items=[3]),
    "horror movies but not slasher stuff": Intent(action="request", genres=["Horror"],
                                                  exclude_genres=["Action", "Crime", "Thriller", "War"]),
    "no, I meant a war film": Intent(action="request", genres=["War"], exclude_genres=["Horror", "Crime", "Thriller"]),
    "something shorter": Intent(action="request", rest=["something shorter"]),
    "an epic fantasy quest, nothing too scary": Intent(action="request", genres=["Fantasy", "Adventure"],
                                                       exclude_genres=["Horror"]),
    # the shipped model's readings of messages tried as a new user on 2026-11-30
    "aliens invading earth": Intent(action="off_topic"),
    "superheroes": Intent(action="request", genres=["Animation"]),
    "christmas movies": Intent(action="request", genres=["Adventure"]),
    "something my grandma would enjoy": Intent(action="request", genres=["Romance"]),
    "with some action in it": Intent(action="request", like=["with some action"]),
    "not in the mood for anything sad": Intent(action="request", genres=["Drama"]),
    "show me the best movies of all time": Intent(action="request", genres=["Documentary"]),
    "not so old though": Intent(action="request", rest=["not so old"]),
    # the shipped model's readings of dev11 messages (fifth session)
    "action movies pre-1990 plz": Intent(action="request", genres=["Action"]),
    "toy story was great, got anything similar that adults would like": Intent(action="request", like=["toy story"],
                                                                               genres=["Children's"]),
    "I could go for a comedy tonight, the older the better": Intent(action="request", genres=["Comedy"],
                                                                    rest=["older"]),  # dev11 asked for a musical
    "none of these appeal": Intent(action="request", exclude_genres=["Action"]),
    # dev12 (readings of the real messages, titles swapped for ones the test catalogue holds)
    "i hated casablanca. give me a romance that's nothing like it": Intent(action="request", like=["casablanca"],
                                                                             genres=["Romance"]),
    "i never liked fargo. other crime films?": Intent(action="request", exclude_genres=["Crime"], rest=["fargo"]),
    "a sci fi film thats more about ideas than explosions": Intent(action="request", genres=["Sci-Fi", "Adventure"]),
    "fargo type crime stories": Intent(action="request", genres=["Romance", "Fantasy"]),
    "horror thats more funny than scary": Intent(action="request", genres=["Horror"], rest=["funny"]),
    "too many old ones": Intent(action="request", rest=["too many old ones"]),
    "these are too cheesy": Intent(action="request", rest=["cheesy"]),
    "is the first one gory?": Intent(action="question", ask="fit", item=1, genres=["Horror"]),
    "I'm 12 and want a fun movie": Intent(action="request", genres=["Children's", "Romance"]),
    "can you find a sports movie from the 80s": Intent(action="request", genres=["Western"], years="1980-1989"),
    # the shipped model's readings of eval/intent/dev8 messages (titles changed to this catalogue's)
    "i want to laugh and cry at the same time": Intent(action="request", genres=["Comedy"]),
    "something in the spirit of Star Wars": Intent(action="request", people=["Star Wars"]),
    "i'm into scifi stuff like Alien and Blade Runner": Intent(action="request", like=["Blade Runner"], genres=["Sci-Fi"]),
    "casablanca was a masterpiece, anything else from hitchcock?": Intent(action="request", like=["hitchcock"],
                                                                          people=["casablanca"]),
    "would my 8 year old be ok with #3?": Intent(action="question", ask="fit", item=8, genres=["Children's"]),
    "old hollywood romance, the more classic the better": Intent(action="request", genres=["Romance", "Comedy"],
                                                                 rest=["classic"]),
    "we're having a 10 year old's birthday sleepover, what should we put on":
        Intent(action="request", genres=["Children's"], exclude_genres=["Children's"]),
    "i need something less funny than dumb and dumber": Intent(action="request", rest=["less funny"]),
    # dev9
    "a sci fi flick w/ a killer robot": Intent(action="request", genres=["Sci-Fi", "Crime"]),
    "anything with Denzel": Intent(action="request", genres=["Drama"]),
    # tried in the browser on 2026-11-30 (fourth session)
    "looking for something to watch with my teenage son, he likes action but i can't stand gore":
        Intent(action="request", genres=["Action", "Horror"]),
    "hmm these are kinda old, anything from the 90s?": Intent(action="request", years="1990-1999",
                                                             rest=["hmm these are kinda old"]),
    "do you have anything with Arnold?": Intent(action="request", people=["Arnold"]),
    "which of these is the funniest?": Intent(action="question", ask="fit", item=5, genres=["Comedy"]),
    "which one is the oldest?": Intent(action="question", ask="about", item=2),
    "I want a movie that will make me think": Intent(action="request", genres=["Drama"]),
    "something like what I usually watch but from the 80s": Intent(action="request", like=["what I usually watch"],
                                                                  years="1980-1989"),
    "the 4th looks cute": Intent(action="feedback", liked_items=[4]),
    "nah too cheesy, something with more bite": Intent(action="request", rest=["cheesy"]),
    "any with a female lead?": Intent(action="question", ask="about", item=1),
    # dev10
    "hitchcock style suspense": Intent(action="request", genres=["Thriller", "Adventure"]),
    "i want to be scared witless": Intent(action="request", genres=["Thriller"]),
    "a bird in a cage": Intent(action="request", rest=["bird in a cage"]),
}


@pytest.fixture
def parser():
    return FakeIntentParser(INTENTS)


@pytest.fixture
def engine(parser):
    return ChatEngine(FakeRecommender(CATALOG, {}), k=5, intent_parser=parser)


def test_exact_commands_stay_with_the_rules_and_free_text_goes_to_the_model(engine, parser):
    session = engine.new_session()
    engine.message(session, "a comedy with Tom Hanks")
    engine.message(session, "no horror")  # every word understood by the rules
    engine.message(session, "#2 seen")
    engine.message(session, "more please")
    engine.message(session, "what is #1 about?")  # a question: the model
    assert [m for m, _ in parser.calls] == ["a comedy with Tom Hanks", "what is #1 about?"]
    assert parser.calls[-1][1] == 5  # the model is told how long the list on screen is


def test_data_the_catalogue_lacks_is_said_plainly_and_the_list_uses_the_rest(engine):
    session = engine.new_session()
    turn = engine.message(session, "a comedy with Tom Hanks")
    assert "I have no cast or crew data, so I can't search for Tom Hanks." in turn.reply
    assert "The picks below use the rest of your message." in turn.reply
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Comedy",) and not request.query  # "Tom Hanks" never matches titles
    turn = engine.message(session, "the one where a guy relives one day")
    assert "I have no plot summaries" in turn.reply and "“a guy relives one day”" in turn.reply


def test_mood_words_never_match_titles_in_a_catalogue_without_descriptions(engine):
    turn = engine.message(engine.new_session(), "a dark and quirky comedy")
    assert "I have no descriptions of the films, only titles, years and genres, so I can't match “dark” or “quirky”." \
        in turn.reply
    assert not engine.recommender.requests[-1].query  # "dark" would have matched "Dark City"


def test_people_alone_still_give_a_list_and_say_what_it_is_made_of(engine):
    turn = engine.message(engine.new_session(), "movies with Tom Hanks")
    assert turn.list_changed and turn.rows
    assert "Here are picks from what else I know instead." in turn.reply


def test_questions_are_answered_from_the_catalogue_and_never_replace_the_request(engine):
    session = engine.new_session()
    engine.message(session, "a comedy with Tom Hanks")
    rows, wished = [r.index for r in session.rows], list(session.dialogue.wished_genres)
    first = CATALOG[rows[0]]
    turn = engine.message(session, "what is #1 about?")
    assert not turn.list_changed and f"**{first.title}**" in turn.reply
    assert all(g in turn.reply for g in first.genres)
    turn = engine.message(session, "is #1 scary?")
    assert turn.reply.startswith(("No", "Yes", "Partly"))
    assert ("Horror" in first.genres) == turn.reply.startswith("Yes")
    turn = engine.message(session, "why did you recommend #2?")
    assert f"#2 is **{CATALOG[rows[1]].title}**" in turn.reply
    assert [r.index for r in session.rows] == rows and session.dialogue.wished_genres == wished


def test_a_reference_steers_the_request_and_is_never_shown(engine):
    session = engine.new_session()
    engine.message(session, "something like Alien but funnier")
    request = engine.recommender.requests[-1]
    alien = index_of(CATALOG, "Alien")
    assert list(request.references) == [alien] and alien in request.liked and request.wished_genres == ("Comedy",)
    assert alien not in [r.index for r in session.rows]
    assert session.dialogue.liked == []  # a reference is this request's, not a lasting "liked"


def test_a_typo_in_a_title_is_linked_and_the_film_is_not_recommended(engine):
    session = engine.new_session()
    turn = engine.message(session, "I loved Forest Gump")
    gump = [i for i, item in enumerate(CATALOG) if item.title == "Forrest Gump"]
    if gump:  # the small test catalogue may not hold it; the real one does (tests/test_chat_real.py)
        assert session.dialogue.liked == gump
    else:
        assert "I don't know the movie “Forest Gump”" in turn.reply


def test_an_ambiguous_title_gets_a_question_back(engine):
    session = engine.new_session()
    turn = engine.message(session, "I liked Star Wars")
    star_wars = index_of(CATALOG, "Star Wars")
    assert session.dialogue.liked == [star_wars] or "Which “Star Wars” did you mean?" in turn.reply


def test_off_topic_leaves_the_list_alone_and_reset_with_a_request_starts_over(engine):
    session = engine.new_session()
    engine.message(session, "a comedy with Tom Hanks")
    rows = [r.index for r in session.rows]
    turn = engine.message(session, "what's the weather like")
    assert not turn.list_changed and "I can only help you choose movies" in turn.reply
    assert [r.index for r in session.rows] == rows
    turn = engine.message(session, "start over, something romantic")
    assert "Started over" in turn.reply and session.dialogue.wished_genres == ["Romance"]
    assert session.dialogue.constraints.exclude_genres == frozenset()


def test_an_output_that_does_not_fit_the_schema_falls_back_to_the_rules(engine, parser):
    session = engine.new_session()
    turn = engine.message(session, "a war comedy with heart please")  # no scripted intent: the fake fails like bad JSON
    assert session.understood.invalid and session.understood.parser == "rules"
    assert turn.list_changed


@pytest.mark.parametrize("text, exact", [("no horror", True), ("#2 seen", True), ("more please", True),
                                         ("reset", True), ("a war comedy", False), ("why #4", False),
                                         ("is #3 scary", False)])
def test_which_messages_the_rules_read_exactly(text, exact):
    from recommender.chat.parse import lexicon_for, parse_message
    from recommender.chat.state import DialogueState
    from recommender.titles import TitleIndex

    state = DialogueState(last_shown=list(range(5)))
    rules = parse_message(text, state, TitleIndex(CATALOG), lexicon_for(CATALOG))
    assert rules_are_exact(text, rules, state) is exact


def test_the_rule_lexicons_correct_the_models_reading_of_a_request(engine):
    """The shipped intent model read "a feel-good movie" as Romance, missed "not violent" and "from the 80s"."""
    engine.message(engine.new_session(), "a feel-good movie")
    assert engine.recommender.requests[-1].wished_genres == ("Comedy",)
    turn = engine.message(engine.new_session(), "something lighthearted and not violent")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Comedy",) and "can't match" not in turn.reply
    assert set(request.constraints.exclude_genres) == {"Action", "Crime", "Horror", "Thriller", "War"}
    engine.message(engine.new_session(), "a funny space adventure from the 80s")
    request = engine.recommender.requests[-1]
    assert (request.constraints.min_year, request.constraints.max_year) == (1980, 1989)
    assert request.wished_genres == ("Comedy", "Sci-Fi", "Adventure")
    engine.message(engine.new_session(), "a thriller, nothing violent")  # a genre named is not excluded
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Thriller",) and "Thriller" not in request.constraints.exclude_genres


def test_a_genre_named_beside_a_synonym_stays_a_wish(engine):
    """Tried as a new user: "a romantic comedy for date night" listed Star Wars first. The lexicon read
    "romantic" as Romance, and that reading replaced the whole wish, so the named "comedy" was lost."""
    engine.message(engine.new_session(), "a romantic comedy for date night")
    assert set(engine.recommender.requests[-1].wished_genres) == {"Romance", "Comedy"}


def test_an_era_without_numbers_is_a_year_bound_not_missing_data(engine):
    """Tried as a new user: "any old black and white detective stories?" set no years, and the reply said
    it could not match "black and white"."""
    turn = engine.message(engine.new_session(), "any old black and white detective stories?")
    request = engine.recommender.requests[-1]
    assert request.constraints.max_year == 1959 and request.constraints.min_year is None
    assert "can't match" not in turn.reply and "Mystery" in request.wished_genres


def test_the_rules_correct_what_the_model_read_wrongly_in_the_dev_set(engine):
    def request_for(message):
        turn = engine.message(engine.new_session(), message)
        assert turn.rows, turn.reply
        return engine.recommender.requests[-1]

    request = request_for("a love story that isn't cheesy")  # the model excluded Romance
    assert "Romance" in request.wished_genres and "Romance" not in request.constraints.exclude_genres
    turn = engine.message(engine.new_session(), "a love story that isn't cheesy")
    assert "from now on" not in turn.reply  # it said "No  from now on." when the model's exclusion was dropped
    request = request_for("fantasy adventure for the kids")  # the model excluded Children's
    assert set(request.wished_genres) == {"Fantasy", "Adventure", "Children's"}
    assert request.constraints.exclude_genres == {"Horror"}  # left out for the kids, Children's not
    request = request_for("a scary movie made after 1990")  # the model read 1990-1990
    assert (request.constraints.min_year, request.constraints.max_year) == (1991, None)
    request = request_for("start over. something with soldiers")  # the model read a bare reset: no list
    assert request.wished_genres == ("War",)
    assert request_for("somthing funy").wished_genres == ("Comedy",)  # a typo; the model read Fantasy
    request = request_for("i hate horror, give me some action")  # the model read "i hate musicals" as Musical
    assert request.wished_genres == ("Action",) and "Horror" in request.constraints.exclude_genres


def test_a_genre_right_after_a_negation_is_excluded_by_the_rule_parser():
    engine = ChatEngine(FakeRecommender(CATALOG, {}), k=5)  # no model: the rules read everything
    engine.message(engine.new_session(), "I don't want anything scary, something funny")
    request = engine.recommender.requests[-1]
    assert "Horror" in request.constraints.exclude_genres and "Horror" not in request.wished_genres


def test_a_negated_genre_word_is_never_a_wish():
    """Tried as a new user: "nothing too scary" made the lexicon wish for Horror over the model's Fantasy."""
    engine = ChatEngine(FakeRecommender(CATALOG, {}), k=5, intent_parser=FakeIntentParser(INTENTS))
    engine.message(engine.new_session(), "an epic fantasy quest, nothing too scary")
    request = engine.recommender.requests[-1]
    assert "Horror" not in request.wished_genres and "Horror" in request.constraints.exclude_genres


def test_something_like_a_title_is_a_reference_not_a_rating(engine, parser):
    """Tried as a new user: "something like Toy Story" said "Noted, you liked: Toy Story" and listed Fargo and
    Star Wars (what Toy Story's viewers also watched), not films like it."""
    session = engine.new_session()
    turn = engine.message(session, "something like Toy Story")
    toy = index_of(CATALOG, "Toy Story")
    assert engine.recommender.requests[-1].references == (toy,)
    assert session.dialogue.references == [toy] and session.dialogue.liked == []
    assert "you liked" not in turn.reply and parser.calls == []  # exact: the rules read it


def test_a_request_with_nothing_but_filler_gets_no_invented_genre(engine):
    """Tried as a new user: the model read "hi! can you suggest a good movie for tonight?" as Romance."""
    turn = engine.message(engine.new_session(), "hi! can you suggest a good movie for tonight?")
    request = engine.recommender.requests[-1]
    assert turn.rows and request.wished_genres == () and request.query is None


def test_something_older_keeps_the_request_and_moves_the_years_back():
    """Tried as a new user: after "a funny movie", "something older" was read by the model as a new
    request for Drama."""
    engine = ChatEngine(FakeRecommender(CATALOG, {}), k=5, intent_parser=FakeIntentParser(
        {"something older": Intent(action="request", genres=["Drama"])}))
    session = engine.new_session()
    engine.message(session, "comedy")
    years = sorted(row.year for row in session.rows)
    turn = engine.message(session, "something older")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Comedy",)
    assert request.constraints.max_year == years[len(years) // 2] // 10 * 10 - 1
    assert all(row.year <= request.constraints.max_year for row in turn.rows)


def test_the_model_may_not_point_at_items_or_exclude_genres_the_message_does_not_mention(engine):
    """Tried as a new user: "thanks!" said "Noted, you liked: Jerry Maguire" (#3 on the list), and "a
    movie for a rainy sunday afternoon" answered "No Action from now on"."""
    session = engine.new_session()
    turn = engine.message(session, "I need a movie for a rainy sunday afternoon")
    assert "No Action" not in turn.reply and not engine.recommender.requests[-1].constraints.exclude_genres
    turn = engine.message(session, "thanks!")
    assert session.dialogue.liked == [] and "you liked" not in turn.reply


def test_a_follow_up_for_data_the_catalogue_lacks_keeps_the_request(engine):
    """Tried as a new user: "something shorter" after a request replaced it with nothing."""
    session = engine.new_session()
    engine.message(session, "a comedy with Tom Hanks")
    turn = engine.message(session, "something shorter")
    assert session.dialogue.wished_genres == ["Comedy"] and "can't" in turn.reply


@pytest.mark.parametrize("message, opening", [("thanks!", "You're welcome!"), ("hello", "Hi!"),
                                              ("what can you do?", "I recommend movies."),
                                              ("thanks, that's great", "You're welcome!"),  # "I didn't find a
                                              ("thank you, these look good!", "You're welcome!"),  # request"
                                              ("hi! what can you do?", "I recommend movies."),  # "I can only help
                                              ("who are you?", "I recommend movies."),  # you choose movies, so I
                                              ("what movies do you have?", "I know "),  # left that aside"
                                              ("hey, how many films do you know?", "I know "),
                                              ("no thanks!", "No problem."), ("i'm good!", "No problem.")])  # with
# "!" these said "I can only help you choose movies": the alternatives of a pattern lost its shared ends
def test_small_talk_gets_a_friendly_answer_and_changes_nothing(engine, parser, message, opening):
    """Tried as a new user: "thanks!" and "hello" got "I can only help you choose movies, so I left that aside"."""
    session = engine.new_session()
    engine.message(session, "a comedy with Tom Hanks")
    before = [row.title for row in session.rows]
    turn = engine.message(session, message)
    assert turn.reply.startswith(opening) and not turn.list_changed and [r.title for r in session.rows] == before
    assert [m for m, _ in parser.calls] == ["a comedy with Tom Hanks"]  # no model call


def test_liked_everything_marks_the_whole_list():
    engine = ChatEngine(FakeRecommender(CATALOG, {}), k=5)
    session = engine.new_session()
    engine.message(session, "comedy")
    shown = [row.index for row in session.rows]
    engine.message(session, "I liked everything you showed")
    assert sorted(session.dialogue.liked) == sorted(shown)


def test_the_violent_genres_are_excluded_together_only_for_words_about_violence(engine):
    """Tried as a new user: "horror movies but not slasher stuff" excluded Action, Crime, Thriller and War,
    and "no, I meant a modern musical" excluded all five violent genres."""
    engine.message(engine.new_session(), "horror movies but not slasher stuff")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Horror",) and not request.constraints.exclude_genres
    engine.message(engine.new_session(), "no, I meant a war film")
    assert not engine.recommender.requests[-1].constraints.exclude_genres
    engine.message(engine.new_session(), "a thriller, nothing violent")  # still excluded when asked
    assert "Crime" in engine.recommender.requests[-1].constraints.exclude_genres


def test_a_message_with_a_genre_word_is_a_request_even_when_the_model_calls_it_off_topic(engine):
    """Tried as a new user: "aliens invading earth" got "I work best in English. I can only help you
    choose movies", and "superheroes" listed cartoons."""
    turn = engine.message(engine.new_session(), "aliens invading earth")
    assert turn.rows and "English" not in turn.reply and "only help you choose" not in turn.reply
    assert engine.recommender.requests[-1].wished_genres == ("Sci-Fi",)
    engine.message(engine.new_session(), "superheroes")
    assert set(engine.recommender.requests[-1].wished_genres) == {"Action", "Adventure"}
    turn = engine.message(engine.new_session(), "what's the weather like")
    assert "only help you choose" in turn.reply  # still off-topic: no genre word


def test_a_genre_the_model_guessed_from_no_genre_word_is_not_shown_as_understood(engine):
    """Tried as a new user: "christmas movies" listed Adventure films under the heading "(Adventure)", and
    "something my grandma would enjoy" Romance; such guesses were wrong in 21 of 25 messages tried."""
    for text in ("christmas movies", "something my grandma would enjoy"):
        turn = engine.message(engine.new_session(), text)
        assert turn.rows and engine.recommender.requests[-1].wished_genres == ()
        if text == "christmas movies":  # the titles' holiday words instead (test_christmas_films_...)
            assert "can't match" not in turn.reply and "no holiday data" in turn.reply
        else:  # who the film is for is no missing data
            assert "can't match" not in turn.reply
    turn = engine.message(engine.new_session(), "show me the best movies of all time")  # nothing but praise
    assert turn.rows and engine.recommender.requests[-1].wished_genres == () and "can't match" not in turn.reply


def test_a_new_ask_with_words_no_lexicon_reads_says_so_and_drops_the_old_wish(engine):
    """Tried in the browser: after "a horror comedy", "can you find a sports movie from the 80s" listed
    horror comedies of the 1980s and said nothing about sports (the model read Western, which was dropped)."""
    session = engine.new_session()
    engine.message(session, "a horror comedy")
    turn = engine.message(session, "can you find a sports movie from the 80s")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == () and (request.constraints.min_year, request.constraints.max_year) == (1980, 1989)
    assert "can't match “sports movie”" in turn.reply
    turn = engine.message(engine.new_session(), "I want a movie that will make me think")  # was quoted whole
    assert "can't match “that will make me think”" in turn.reply


def test_titles_the_model_left_out_or_called_people_are_kept(engine):
    """dev8: "like Goodfellas and Casino" referred to Casino only (GoodFellas was then listed #2); "in the
    spirit of Monty Python" said "I have no cast or crew data"; "psycho was a masterpiece, anything else from
    hitchcock?" said "I can't match “psycho”" and liked nothing."""
    turn = engine.message(engine.new_session(), "i'm into scifi stuff like Alien and Blade Runner")
    assert set(engine.recommender.requests[-1].references) == {index_of(CATALOG, "Alien"), index_of(CATALOG, "Blade Runner")}
    assert "Blade Runner" not in [r.title for r in turn.rows] and "Alien (1979)" in turn.reply
    turn = engine.message(engine.new_session(), "something in the spirit of Star Wars")
    assert list(engine.recommender.requests[-1].references) == [index_of(CATALOG, "Star Wars")] and "cast" not in turn.reply
    session = engine.new_session()
    turn = engine.message(session, "casablanca was a masterpiece, anything else from hitchcock?")
    assert session.dialogue.liked == [index_of(CATALOG, "Casablanca")]
    assert "can't search for Hitchcock" in turn.reply and "can't match" not in turn.reply
    turn = engine.message(engine.new_session(), "i need something less funny than dumb and dumber")
    assert engine.recommender.requests[-1].liked == () and "Dumb" not in turn.reply.split("\n")[0]


def test_a_topic_narrower_than_its_genre_is_said_to_be_matched_by_genre_only(engine, parser):
    """dev9: "a sci fi flick w/ a killer robot" listed science fiction as if robots had been found; the
    catalogue has no plots, so the reply now says the robot was matched by genre only."""
    turn = engine.message(engine.new_session(), "a sci fi flick w/ a killer robot")
    assert engine.recommender.requests[-1].wished_genres == ("Sci-Fi",)
    assert "no plot summaries, so I matched “killer robot” by genre only." in turn.reply
    turn = engine.message(engine.new_session(), "zombie movies")  # the rule parser's path
    assert "matched “zombie” by genre only" in turn.reply and turn.rows
    turn = engine.message(engine.new_session(), "no zombies, just a comedy")
    assert "by genre only" not in turn.reply
    for text in ("movies set in space", "something set in outer space"):  # Sci-Fi, and not all of it is in space
        parser.intents[text] = Intent(action="request", genres=["Sci-Fi"])  # as the model reads them
        turn = engine.message(engine.new_session(), text)
        assert engine.recommender.requests[-1].wished_genres == ("Sci-Fi",), text
        assert "so I matched “set in " in turn.reply and "space” by genre only." in turn.reply, text


def test_a_first_name_after_with_is_a_person_the_model_missed(engine):
    """dev9: "anything with Denzel" listed dramas (the model's guess) and said nothing about Denzel."""
    turn = engine.message(engine.new_session(), "anything with Denzel")
    assert "no cast or crew data, so I can't search for Denzel" in turn.reply
    assert engine.recommender.requests[-1].wished_genres == ()


def test_browser_session_with_a_teenager_action_and_arnold(engine):
    """Tried in the browser: "he likes action but i can't stand gore" listed Jaws (gore was no word for
    horror, then "can't stand" no negation); "hmm these are kinda old, anything from the 90s?" said "I can't
    match “hmm these are kinda old, anything”"; "do you have anything with Arnold?" dropped the action films
    for any films of the 1990s, "from what else I know"."""
    session = engine.new_session()
    engine.message(session, "looking for something to watch with my teenage son, he likes action but i can't stand gore")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Action",) and request.constraints.exclude_genres == {"Horror"}
    turn = engine.message(session, "hmm these are kinda old, anything from the 90s?")
    assert "can't match" not in turn.reply and engine.recommender.requests[-1].constraints.min_year == 1990
    turn = engine.message(session, "do you have anything with Arnold?")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Action",) and request.constraints.min_year == 1990
    assert "can't search for Arnold. The list still follows what you asked for before." in turn.reply


def test_which_of_the_list_is_answered_about_the_whole_list(engine):
    """Tried in the browser: "which of these is the funniest?" was answered "No: #10 is Apollo 13 (1995),
    Action, Drama, Thriller" (the model's fit question about one position)."""
    session = engine.new_session()
    engine.message(session, "action")
    rows = list(session.rows)
    turn = engine.message(session, "which of these is the funniest?")
    comedies = [f"#{p} **{r.title}**" for p, r in enumerate(rows, 1) if "Comedy" in CATALOG[r.index].genres]
    assert comedies and all(c in turn.reply for c in comedies) and turn.reply.endswith(" Comedy; the others are not.")
    assert session.rows == rows  # a question never changes the list
    turn = engine.message(session, "which one is the oldest?")
    oldest = min(enumerate(rows, 1), key=lambda pr: pr[1].year)
    assert turn.reply == f"The oldest is #{oldest[0]} **{oldest[1].title}** ({oldest[1].year})."


def test_sort_them_by_year_or_rating_answers_with_the_list_in_that_order(engine, parser):
    """Tried as a new user: "a crime movie", then "sort them by year" said "I can't bring back an earlier list" (the
    model read a reset), "the oldest one please" said "I can't match “oldest one”"; they ask about the list on screen."""
    from types import SimpleNamespace

    from recommender.retrieval.ratings import Standing

    session = engine.new_session()
    engine.message(session, "comedy")
    rows, requests = session.rows, len(engine.recommender.requests)
    by_year = sorted(enumerate(rows, 1), key=lambda pr: pr[1].year)  # stable: ties keep the list's order
    lines = "\n".join(f"- #{p} **{r.title}** ({r.year})" for p, r in by_year)
    for text in ("sort them by year", "Could you order the list by release date?", "oldest first please"):
        parser.intents[text] = Intent(action="reset")
        turn = engine.message(session, text)
        assert turn.reply == f"Oldest first:\n{lines}\n\nThe list on the right stays in order of fit, so the numbers " \
                             "are the same.", turn.reply
    newest = engine.message(session, "newest first").reply
    assert newest.startswith("Newest first:\n") and newest.index(f"#{by_year[-1][0]} ") < newest.index(f"#{by_year[0][0]} ")
    engine.recommender.facts = SimpleNamespace(standing={row.index: Standing(3.0 + p / 10, 50 if p else 3, p / 10)
                                                         for p, row in enumerate(rows)}.get)
    rated = engine.message(session, "sort by rating").reply.splitlines()
    assert rated[0] == "Best rated first, by the ratings here:" and rated[1].startswith(f"- #{len(rows)} **")
    assert rated[len(rows)] == f"- #1 **{rows[0].title}** (too few ratings)", rated
    del engine.recommender.facts
    parser.intents["the oldest one please"] = Intent(action="request", rest=["oldest one"])
    turn = engine.message(session, "the oldest one please")
    assert turn.reply == f"The oldest is #{by_year[0][0]} **{by_year[0][1].title}** ({by_year[0][1].year}).", turn.reply
    assert session.rows == rows and len(engine.recommender.requests) == requests
    fresh = engine.new_session()
    parser.intents["sort them by year"] = Intent(action="reset")
    assert engine.message(fresh, "sort them by year").list_changed is False  # no list yet: nothing to sort


def test_sort_them_oldest_first_and_a_film_with_no_year_comes_last(parser):
    """Tried as a new user: "sort them oldest first" said "I can't bring back an earlier list" (the model: reset);
    and sorting oldest first put a film with no year on record first."""
    from recommender.data.types import Catalog, Item

    catalog = Catalog([Item("1", "Heat", 1995, ("Comedy",)), Item("2", "Nameless", None, ("Comedy",)),
                       Item("3", "Fargo", 1996, ("Comedy",)), Item("4", "Babe", 1990, ("Comedy",))])
    engine = ChatEngine(FakeRecommender(catalog, {}), k=4, intent_parser=parser)
    session = engine.new_session()
    engine.message(session, "comedy")
    assert [r.title for r in session.rows] == ["Heat", "Nameless", "Fargo", "Babe"]
    for text, order in (("sort them oldest first", "#4 #1 #3 #2"), ("sort them with the newest ones first", "#3 #1 #4 #2")):
        parser.intents[text] = Intent(action="reset")
        reply = engine.message(session, text).reply
        assert " ".join(line.split()[1] for line in reply.splitlines()[1:5]) == order, reply
        assert "(year unknown)" in reply.splitlines()[4]
    assert [r.title for r in session.rows] == ["Heat", "Nameless", "Fargo", "Babe"]


def test_which_is_newest_names_every_item_of_that_year():
    """In the browser: "which of these is the newest?" answered "The newest is #8 Titanic (1997)" while #5,
    Chasing Amy, is from 1997 too."""
    from recommender.chat.list_answers import answer_which
    from recommender.chat.state import Question

    listed = [index_of(CATALOG, "Heat", 1995), index_of(CATALOG, "Scream"), index_of(CATALOG, "Fargo"),
              index_of(CATALOG, "Mars Attacks!")]
    reply = answer_which(Question("which", listed[0], 0, order="newest"), listed, CATALOG)
    assert reply == "The newest are #2 **Scream**, #3 **Fargo** and #4 **Mars Attacks!**, all from 1996."
    # "which ones are from the 90s?" was told "I can't tell that from titles, years and genres alone"
    nineties = Question("which", listed[0], 0, min_year=1990, max_year=1999)
    assert answer_which(nineties, listed, CATALOG) == "All 4 are from 1990–1999."
    older = Question("which", listed[0], 0, max_year=1995)
    assert answer_which(older, listed, CATALOG) == "From before 1996: #1 **Heat** (1995)."
    assert answer_which(Question("which", listed[0], 0, min_year=1997), listed, CATALOG) == \
        "None of these is from after 1996."
    # "which of these is based on a true story?" was told "I can't rank them by that": nothing was to be ranked
    reply = answer_which(Question("which", listed[0], 0), listed, CATALOG)
    assert reply.startswith("I can't tell that from titles, years and genres alone.") and "rank" not in reply


def test_what_i_usually_watch_is_no_title(parser):
    """Tried as a known user: "something like what I usually watch but from the 80s" said "I don't know the
    movie “what I usually watch”"; the list follows the person's history anyway."""
    engine = ChatEngine(FakeRecommender(CATALOG, {"7": [2, 14]}), k=5, intent_parser=parser)
    session = engine.new_session("7")
    turn = engine.message(session, "something like what I usually watch but from the 80s")
    assert "don't know the movie" not in turn.reply and session.dialogue.pending is None
    request = engine.recommender.requests[-1]
    assert (request.constraints.min_year, request.constraints.max_year) == (1980, 1989) and turn.rows


def test_a_romcom_session_in_scripted_turns(engine):
    """Tried as a new user: "the 4th looks cute" got "I didn't find a request in that"; "nah too cheesy,
    something with more bite" showed the same list again; "perfect, thanks" showed a new list; "any with a
    female lead?" got "I didn't find a request in that"."""
    session = engine.new_session()
    engine.message(session, "romantic comedies")
    fourth = session.rows[3].index
    turn = engine.message(session, "the 4th looks cute")
    assert session.dialogue.liked == [fourth] and "didn't find" not in turn.reply
    shown = [r.index for r in session.rows]
    turn = engine.message(session, "nah too cheesy, something with more bite")
    assert turn.rows and not set(r.index for r in turn.rows) & set(shown)
    assert "I can't tell how cheesy" in turn.reply and engine.recommender.requests[-1].wished_genres == ("Romance", "Comedy")
    turn = engine.message(session, "perfect, thanks")
    assert turn.reply.startswith("You're welcome!") and not turn.list_changed
    turn = engine.message(session, "any with a female lead?")
    assert "can't match" in turn.reply and "female lead" in turn.reply and "didn't find" not in turn.reply


def test_dev10_surnames_scared_and_less_serious(engine):
    """dev10: "hitchcock style suspense" said nothing about Hitchcock; "scared witless" listed thrillers (the
    model's guess; "scared" was no horror word); "less serious ones" after science fiction excluded Drama
    ("less" negated "serious") instead of wishing for comedy."""
    turn = engine.message(engine.new_session(), "hitchcock style suspense")
    assert "can't search for Hitchcock" in turn.reply
    assert "cast" not in engine.message(engine.new_session(), "a bird in a cage").reply  # "cage" is a word too
    engine.message(engine.new_session(), "i want to be scared witless")
    assert engine.recommender.requests[-1].wished_genres == ("Horror",)
    session = engine.new_session()
    engine.message(session, "sci-fi")
    engine.message(session, "less serious ones")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Sci-Fi", "Comedy") and not request.constraints.exclude_genres


def test_dev8_words_for_genres_years_and_positions(engine):
    """dev8: "laugh and cry" listed comedies only; a 10 year old's sleepover excluded children's films;
    "old hollywood" allowed 1969 films, and "the more classic the better" said "I can't match “classic”";
    "would my 8 year old be ok with #3?" answered about #8."""
    engine.message(engine.new_session(), "i want to laugh and cry at the same time")
    assert engine.recommender.requests[-1].wished_genres == ("Comedy", "Drama")
    engine.message(engine.new_session(), "we're having a 10 year old's birthday sleepover, what should we put on")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Children's",) and not request.constraints.exclude_genres
    turn = engine.message(engine.new_session(), "old hollywood romance, the more classic the better")
    request = engine.recommender.requests[-1]
    assert request.constraints.max_year == 1959 and request.wished_genres == ("Romance",)
    assert "can't match" not in turn.reply
    session = engine.new_session()
    engine.message(session, "comedy")
    turn = engine.message(session, "would my 8 year old be ok with #3?")
    third = session.rows[2]
    assert f"#3 is **{third.title}**" in turn.reply
    # tried as a new user: "is #1 appropriate for kids?" got a bare "No: #1 is Liar Liar (1997), Comedy.", and
    # "is it suitable for a 10 year old?" a "No:" that says more than genres can
    assert turn.reply.endswith("I have no age ratings, so I can't say more than its genres.")
    kids = "Children's" in third.genres
    assert turn.reply.startswith(f"{'Yes' if kids else 'No'}: #3 is **{third.title}** ({third.year}), "
                                 f"{'a' if kids else 'not a'} Children's film ("), turn.reply


def test_a_follow_up_that_adds_a_genre_keeps_the_one_asked_for_and_is_no_title(engine):
    """Tried as a new user: after "i want to laugh tonight", "with some action in it" asked "I don't know
    the movie “with some action”. Did you mean Chain Reaction?" and dropped the comedy."""
    session = engine.new_session()
    engine.message(session, "comedy")
    turn = engine.message(session, "with some action in it")
    assert "Did you mean" not in turn.reply and session.dialogue.pending is None
    assert engine.recommender.requests[-1].wished_genres == ("Comedy", "Action")


def test_not_in_the_mood_for_a_genre_excludes_it(engine):
    """Tried as a new user: "not in the mood for anything sad" listed dramas."""
    engine.message(engine.new_session(), "not in the mood for anything sad")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == () and "Drama" in request.constraints.exclude_genres


@pytest.mark.parametrize("text", ["not so old though", "these are too old for me",  # dev8: "I didn't find a request"
                                  "too many old ones"])  # tried: it asked for films before 1970
def test_not_so_old_moves_the_years_forward_and_is_not_missing_data(engine, text):
    session = engine.new_session()
    engine.message(session, "comedy")
    years = sorted(row.year for row in session.rows)
    turn = engine.message(session, text)
    request = engine.recommender.requests[-1]
    assert request.constraints.min_year == years[len(years) // 2] + 1 and "can't match" not in turn.reply
    assert request.wished_genres == ("Comedy",)


def test_a_request_of_nothing_but_genre_words_is_read_exactly_without_the_model(engine, parser):
    """The LLM added nothing to these (the lexicon's genres replace its guess) and cost 0.9 s a message."""
    for text, wished, excluded in [("a scary movie", ("Horror",), set()),
                                   ("something funny but not too romantic", ("Comedy",), {"Romance"}),
                                   ("horror movies but not slasher stuff", ("Horror",), set())]:
        session = engine.new_session()
        turn = engine.message(session, text)
        request = engine.recommender.requests[-1]
        assert session.understood.parser == "rules" and turn.rows, text
        assert request.wished_genres == wished and set(request.constraints.exclude_genres) == excluded, text
    session = engine.new_session()
    engine.message(session, "something like Alien but funnier")
    assert session.understood.parser == "rules" and session.dialogue.wished_genres == ["Comedy"]
    assert session.dialogue.references == [index_of(CATALOG, "Alien")]
    engine.message(session, "a comedy with Tom Hanks")  # a name is left: the model reads it
    assert session.understood.parser == "llm"


def test_everyday_genre_words_from_the_third_round_of_trials(engine):
    """Tried as a new user: "I'm 12 and want a fun movie" matched nothing, then "with animals" neither."""
    session = engine.new_session()
    engine.message(session, "I'm 12 and want a fun movie")
    assert engine.recommender.requests[-1].wished_genres == ("Comedy",)
    engine.message(session, "with animals")
    assert engine.recommender.requests[-1].wished_genres == ("Comedy", "Children's")


def test_not_too_old_in_a_request_of_its_own_is_not_measured_against_the_list_on_screen(engine):
    """Tried in the browser: after a list of 1990s cartoons, "a romantic movie, not too old" kept only
    films after 1995."""
    session = engine.new_session()
    engine.message(session, "I liked Toy Story")
    engine.message(session, "a romantic movie, not too old")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Romance",) and request.constraints.min_year == 1990


def test_isnt_too_old_and_nothing_too_old_move_the_years_forward(engine):
    """Only "not too old" was read: "a comedy that isn't too old" could not match "isn't too old"."""
    for text in ["a comedy that isn't too old", "a comedy, nothing too old", "a comedy that's not very old"]:
        session = engine.new_session()
        turn = engine.message(session, text)
        request = engine.recommender.requests[-1]
        assert request.constraints.min_year == 1990 and "can't match" not in turn.reply, text
        assert request.wished_genres == ("Comedy",) and not request.constraints.exclude_genres, text


def test_a_question_that_names_a_title_is_about_that_title(parser):
    """Tried on new wording: "why Babe?" answered about #10, and "is Liar Liar funny?" (the model read
    "funny" as Fantasy) answered "No: #10 is Mighty Aphrodite, Comedy"."""
    engine = ChatEngine(FakeRecommender(CATALOG, {}), k=10, intent_parser=parser)
    session = engine.new_session()
    engine.message(session, "comedy")
    rows = [r.index for r in session.rows]
    third = CATALOG[rows[2]]
    parser.intents.update({
        f"why {third.title}?": Intent(action="question", ask="why", item=10),
        f"is {third.title} funny?": Intent(action="question", ask="fit", item=10, genres=["Fantasy"]),
        "is Casablanca scary?": Intent(action="question", ask="fit", item=12, genres=["Horror"]),
    })
    turn = engine.message(session, f"why {third.title}?")
    assert turn.reply.startswith(f"#3 is **{third.title}**") and not turn.list_changed
    turn = engine.message(session, f"is {third.title} funny?")
    assert turn.reply.startswith(f"Yes: #3 is **{third.title}**")
    turn = engine.message(session, "is Casablanca scary?")  # not on the list, and no #12
    assert turn.reply.startswith("No: **Casablanca** (1942)") and "#12" not in turn.reply
    assert [r.index for r in session.rows] == rows


@pytest.mark.parametrize("text, wished, excluded, years", [
    # from a third dev set written on 2026-11-30 (eval/intent/dev3_*.jsonl), each wrong before:
    ("not a fan of horror or war films, surprise me", (), {"Horror", "War"}, (None, None)),  # wished both
    ("drop the horror", (), {"Horror"}, (None, None)),  # wished Horror
    ("nah, none of these. something funnier", ("Comedy",), set(), (None, None)),  # excluded Comedy
    ("car chase action, nothing before 1985", ("Action",), set(), (1985, None)),  # up to 1984
    ("romcoms but nothing too cheesy", ("Romance", "Comedy"), set(), (None, None)),  # Romance only
    ("chick flick for tonight", ("Romance", "Comedy"), set(), (None, None)),  # a romantic comedy (dev21: Star Wars was listed)
    ("looking for a gritty cop movie", ("Crime",), set(), (None, None)),
    ("ugh too much drama, lighten it up", ("Comedy",), {"Drama"}, (None, None)),  # wished Drama
    ("no horror, comedy please", ("Comedy",), {"Horror"}, (None, None)),  # excluded Comedy
    # from a fourth dev set (eval/intent/dev4_*.jsonl), each wrong before:
    ("I'm into sci-fi but hate anything with horror", ("Sci-Fi",), {"Horror"}, (None, None)),  # wished both
    ("I'm done with horror, give me a comedy", ("Comedy",), {"Horror"}, (None, None)),  # wished both
    ("a really terrifying film, preferably old", ("Horror",), set(), (None, 1969)),  # nothing
    ("sci-fi and war films from the 60s or 70s", ("Sci-Fi", "War"), set(), (1960, 1979)),  # the 70s
    ("dystopian future stuff", ("Sci-Fi",), set(), (None, None)),
    ("movies like Toy Story but for adults", (), {"Children's"}, (None, None)),
    # from a fifth dev set (eval/intent/dev5_*.jsonl):
    ("I need a movie to cheer me up", ("Comedy",), set(), (None, None)),  # the model's Comedy was dropped
    ("show me crime films but skip anything before 1980", ("Crime",), set(), (1980, None)),  # up to 1979
    # from a sixth dev set (eval/intent/dev6_*.jsonl):
    ("these are all too sad", (), {"Drama"}, (None, None)),  # wished Drama
    ("movies for a girls night in", ("Romance",), set(), (None, None)),
    # from a seventh dev set (eval/intent/dev7_*.jsonl):
    ("romantic comedys from the ninetys", ("Romance", "Comedy"), set(), (1990, 1999)),  # no years
    ("i want a mystery but i dont want it to be scary", ("Mystery",), {"Horror"}, (None, None)),  # wished Horror
    ("horror but not the old black and white ones", ("Horror",), set(), (1970, None)),  # up to 1969
    ("a comedy about a dog", ("Comedy",), set(), (None, None)),  # and Children's
    ("an intense drama about war", ("Drama", "War"), set(), (None, None)),
])
def test_requests_from_the_third_dev_set(engine, parser, text, wished, excluded, years):
    parser.intents[text] = Intent(action="request")  # the model reads nothing: the rule lexicons must
    engine.message(engine.new_session(), text)
    request = engine.recommender.requests[-1]
    assert sorted(request.wished_genres) == sorted(wished) and set(request.constraints.exclude_genres) == excluded
    assert (request.constraints.min_year, request.constraints.max_year) == years


def test_music_alone_is_no_musical():
    """"i'd like a documentary about music" wished Documentary and Musical."""
    from recommender.chat.phrases import GenreLexicon

    lexicon = GenreLexicon(["Documentary", "Musical", "Comedy"])
    assert lexicon.names("i'd like a documentary about music") == ["Documentary"]
    assert lexicon.names("a comedy with some music in it") == ["Comedy", "Musical"]


def test_genre_words_like_a_title_make_it_a_reference_not_a_liked_title(engine):
    """"scifi horror like Alien but newer" recorded Alien as a film the person liked, for the session."""
    session = engine.new_session()
    engine.message(session, "scifi horror like Alien but newer")
    alien = index_of(CATALOG, "Alien")
    assert session.dialogue.references == [alien] and session.dialogue.liked == []
    for text in ("I like Alien", "i really like Alien"):
        session = engine.new_session()
        engine.message(session, text)
        assert session.dialogue.liked == [alien], text


def test_a_negated_decade_and_a_plot_told_as_a_title():
    """In the dev set: "comedies, but skip the 90s stuff, older please" listed 1990s comedies, and "the one
    where a guy keeps living the same day over and over" (the model wrote it as a title) answered "I don't
    know the movie “the one where a guy ...”"."""
    from recommender.chat.title_spans import without_generic_titles
    from recommender.chat.year_phrases import find_year_filters
    from recommender.titles import TitleIndex

    years = find_year_filters("comedies, but skip the 90s stuff, older please")
    assert (years.min_year, years.max_year) == (None, 1989)
    years = find_year_filters("nothing from the 70s")
    assert (years.min_year, years.max_year) == (1980, None)
    intent = Intent(action="request", like=["the one where a guy keeps living the same day over"])
    fixed = without_generic_titles(intent, TitleIndex(CATALOG), frozenset(), frozenset())
    assert fixed.like == [] and fixed.plot == ["the one where a guy keeps living the same day over"]


def test_a_story_a_name_and_an_addition_from_the_fifth_dev_set(engine, parser):
    """"a movie about a heist gone wrong" listed crime films and never said it could not match the story;
    "Jim Carrey ones are too silly for me" (the model wrote the name as a title) said "I don't know the
    movie"; "any with a bit of romance?" after comedies dropped the comedies."""
    parser.intents.update({
        "a movie about a heist gone wrong": Intent(action="request", genres=["Crime"]),
        "Jim Carrey ones are too silly for me": Intent(action="request", disliked=["Jim Carrey"]),
        "any with a bit of romance?": Intent(action="request", genres=["Romance"]),
    })
    turn = engine.message(engine.new_session(), "a movie about a heist gone wrong")
    assert "I have no plot summaries" in turn.reply and "“a heist gone wrong”" in turn.reply
    assert engine.recommender.requests[-1].wished_genres == ("Crime",)
    session = engine.new_session()
    engine.message(session, "comedy")
    turn = engine.message(session, "Jim Carrey ones are too silly for me")
    assert "I can't search for Jim Carrey" in turn.reply and "don't know the movie" not in turn.reply
    session = engine.new_session()
    engine.message(session, "comedy")
    engine.message(session, "any with a bit of romance?")
    assert engine.recommender.requests[-1].wished_genres == ("Comedy", "Romance")


def test_a_fit_question_the_data_cannot_answer_says_so_and_what_about_is_no_story(engine, parser):
    """In the browser: "is #2 too violent for a 13 year old?" answered "No: #2 is Star Trek: First Contact,
    Action, Adventure, Sci-Fi" (the model asked about Action), and "ok what about something funnier but
    still with action" said it had no plot summaries for "something funnier but still with action"."""
    parser.intents.update({
        "is #2 too violent for a 13 year old?": Intent(action="question", ask="fit", item=2, genres=["Action"]),
        "ok what about something funnier but still with action": Intent(action="request", genres=["Comedy"]),
    })
    session = engine.new_session()
    engine.message(session, "comedy")
    turn = engine.message(session, "is #2 too violent for a 13 year old?")
    assert turn.reply.startswith("I can't tell that from titles, years and genres alone. #2 is")
    turn = engine.message(session, "ok what about something funnier but still with action")
    assert "plot" not in turn.reply and engine.recommender.requests[-1].wished_genres == ("Comedy", "Action")


def test_more_of_a_genre_refines_the_request_on_screen(engine):
    """In the browser: "more thriller-ish ones" after "what are some good movies from the 1950s?" listed
    thrillers of the 1990s."""
    session = engine.new_session()
    engine.message(session, "films from the 1980s")
    engine.message(session, "more horror-ish ones")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Horror",) and (request.constraints.min_year, request.constraints.max_year) == (1980, 1989)
    engine.message(session, "comedy")
    engine.message(session, "more romantic ones")
    assert engine.recommender.requests[-1].wished_genres == ("Comedy", "Romance")


def test_a_request_of_its_own_for_what_the_data_lacks_replaces_the_list(engine, parser):
    """In the browser: "something cozy for a snowy evening" after 1950s thrillers said it could not match
    the words, then showed the thrillers again as "picks from what else I know". A follow-up that only
    says what is missing ("with Tom Hanks") still refines the list on screen."""
    parser.intents.update({
        "something set in paris at christmas": Intent(action="request", rest=["paris", "christmas"]),
        "with Tom Hanks": Intent(action="request", people=["Tom Hanks"]),
    })
    session = engine.new_session()
    engine.message(session, "horror")
    turn = engine.message(session, "something set in paris at christmas")
    assert "can't check for “paris”" in turn.reply and engine.recommender.requests[-1].wished_genres == ()
    assert "no holiday data" in turn.reply and engine.recommender.requests[-1].query.startswith("christmas")
    engine.message(session, "horror")
    engine.message(session, "with Tom Hanks")
    assert engine.recommender.requests[-1].wished_genres == ("Horror",)


def test_recent_movies_ask_for_the_catalogues_last_years_and_say_when_it_ends(engine, parser):
    """"recent movies", "new releases" and "the latest movies you have" said "I can't match “recent movies”"
    over the most-watched films (Star Wars, 1977 first), though every film has a year."""
    latest = max(item.year for item in CATALOG if item.year)
    parser.intents.update({"recent movies": Intent(action="request", rest=["recent movies"]),
                           "the latest movies you have": Intent(action="request", rest=["latest movies you have"]),
                           "a recent comedy": Intent(action="request", genres=["Comedy"], rest=["recent"]),
                           "modern films": Intent(action="request", rest=["modern films"])})
    for message in ("recent movies", "the latest movies you have", "new releases", "a recent comedy"):
        turn = engine.message(engine.new_session(), message)
        constraints = engine.recommender.requests[-1].constraints
        assert (constraints.min_year, constraints.max_year) == (latest - 2, None), message
        assert f"My catalogue ends in {latest}" in turn.reply and "can't match" not in turn.reply, message
        assert turn.rows and all(row.year >= latest - 2 for row in turn.rows), message
    assert engine.recommender.requests[-1].wished_genres == ("Comedy",)
    engine.message(engine.new_session(), "modern films")
    assert engine.recommender.requests[-1].constraints.min_year == latest // 10 * 10
    # "something from this decade" said "I can't match “from this decade”"; "what are people watching these
    # days?" (the model: off topic) said "I can only help you choose movies"
    parser.intents.update({"something from this decade": Intent(action="request", rest=["from this decade"]),
                           "what are people watching these days?": Intent(action="off_topic"),
                           "a comedy from the last few years": Intent(action="request", genres=["Comedy"]),
                           "what's popular right now?": Intent(action="request", rest=["popular right now"])})
    for message, low in (("something from this decade", latest // 10 * 10), ("a comedy from the last few years",
                                                                             latest - 2),
                         ("what are people watching these days?", latest - 2), ("what's popular right now?",
                                                                                latest - 2)):
        turn = engine.message(engine.new_session(), message)
        assert engine.recommender.requests[-1].constraints.min_year == low and turn.rows, message
        assert "can't match" not in turn.reply and "only help" not in turn.reply, message
    from recommender.chat.state import DialogueState

    assert _rules_router().understand("something funny right now", DialogueState()).update.min_year is None
    parser.intents["how is the weather these days?"] = Intent(action="off_topic")
    assert "only help" in engine.message(engine.new_session(), "how is the weather these days?").reply
    session = engine.new_session()
    engine.message(session, "comedy")
    turn = engine.message(session, "something more recent")  # against the list on screen, as before
    assert "My catalogue ends" not in turn.reply
    assert _rules_router().understand("something new", DialogueState()).update.min_year is None


def test_christmas_films_are_looked_for_by_the_holidays_words_in_titles():
    """"a christmas movie" listed the most-watched films (Scream among them) under "I can't match “christmas
    movie”", though The Santa Clause and A Christmas Carol are in the catalogue."""
    from recommender.data.types import Catalog, Item

    catalog = Catalog(list(CATALOG) + [Item("900", "The Santa Clause", 1994, ("Children's", "Comedy")),
                                       Item("901", "A Christmas Carol", 1938, ("Drama",))])
    parser = FakeIntentParser({"a christmas movie": Intent(action="request", rest=["christmas movie"]),
                               "no christmas films please, a comedy": Intent(action="request", genres=["Comedy"])})
    engine = ChatEngine(FakeRecommender(catalog, {}), k=5, intent_parser=parser)
    for message in ("a christmas movie", "something festive"):
        turn = engine.message(engine.new_session(), message)
        assert "can't match" not in turn.reply and "I have no holiday data" in turn.reply, message
        shown = {catalog[row.index].title for row in turn.rows[:2]}
        assert shown == {"The Santa Clause", "A Christmas Carol"}, message
        assert "Only 2 of these have Christmas words in the title; the others are the closest" in turn.reply, message
    session = engine.new_session()  # "anything else?" listed Tales From the Crypt among others, unexplained
    engine.message(session, "a christmas movie")
    turn = engine.message(session, "more please")
    assert "None of these has Christmas words in its title" in turn.reply and turn.rows
    turn = engine.message(engine.new_session(), "no christmas films please, a comedy")
    assert "holiday" not in turn.reply and not engine.recommender.requests[-1].query


def test_a_comparison_keeps_the_reference_it_compares_with(engine):
    """"something like Fargo", then "not that one, something lighter" listed Spice World and George of
    the Jungle: the comparison dropped Fargo."""
    session = engine.new_session()
    engine.message(session, "something like Fargo")
    engine.message(session, "not that one, something lighter")
    request = engine.recommender.requests[-1]
    assert request.references == (index_of(CATALOG, "Fargo"),) and request.wished_genres == ("Comedy",)


def test_asking_again_for_the_same_request_shows_new_picks(engine):
    """"horror", then "scarier ones please": the same ten films again."""
    session = engine.new_session()
    engine.message(session, "horror")
    first = [r.index for r in session.rows]
    engine.message(session, "scarier ones please")
    assert engine.recommender.requests[-1].wished_genres == ("Horror",)
    assert not set(first) & {r.index for r in session.rows}


def test_meets_also_and_newer_than_these_from_the_sixth_dev_set(engine, parser):
    """"Die Hard meets Home Alone" referred to Home Alone only; "any of these also comedies?" after action
    films listed comedies; "do you have anything newer than these?" (the model: "more") kept the years."""
    parser.intents.update({
        "Fargo meets Toy Story": Intent(action="request", like=["Toy Story"]),
        "any of these also comedies?": Intent(action="request", genres=["Comedy"]),
        "do you have anything newer than these?": Intent(action="more"),
    })
    session = engine.new_session()
    engine.message(session, "Fargo meets Toy Story")
    assert set(engine.recommender.requests[-1].references) == {index_of(CATALOG, "Fargo"), index_of(CATALOG, "Toy Story")}
    session = engine.new_session()
    engine.message(session, "action")
    engine.message(session, "any of these also comedies?")
    assert engine.recommender.requests[-1].wished_genres == ("Action", "Comedy")
    years = sorted(row.year for row in session.rows)
    engine.message(session, "do you have anything newer than these?")
    assert engine.recommender.requests[-1].constraints.min_year == years[len(years) // 2] + 1


def test_ordinals_in_digits_a_question_that_points_at_nothing_and_a_compared_title(engine, parser):
    """"seen the 1st, 4th and 7th" was not read by the rules; "are there any older ones?" was read as "is
    #10 a Thriller?"; "something less depressing than Toy Story" was a request like Toy Story."""
    parser.intents.update({
        "are there any older ones?": Intent(action="question", ask="fit", item=5, genres=["Thriller"]),
        "something less scary than Scream": Intent(action="request", like=["Scream"]),
    })
    session = engine.new_session()
    engine.message(session, "comedy")
    rows = [r.index for r in session.rows]
    engine.message(session, "seen the 1st and 4th")
    assert session.dialogue.seen == {rows[0], rows[3]}
    turn = engine.message(session, "are there any older ones?")
    assert not turn.reply.startswith(("No:", "Yes:")) and engine.recommender.requests[-1].constraints.max_year is not None
    engine.message(session, "something less scary than Scream")
    assert engine.recommender.requests[-1].references == ()
    parser.intents["hmm, what's number two?"] = Intent(action="question", ask="about", item=2)
    turn = engine.message(session, "hmm, what's number two?")
    assert turn.reply.startswith("#2 is")


def test_seen_a_title_what_else_is_feedback_and_more_not_a_question(engine, parser):
    """In the browser: "I've seen When Harry Met Sally, what else?" answered "#1 is When Harry Met Sally...,
    a Comedy, Romance film" and did not note it as seen."""
    session = engine.new_session()
    engine.message(session, "comedy")
    shown = [r.index for r in session.rows]
    turn = engine.message(session, f"I've seen {CATALOG[shown[0]].title}, what else?")
    assert session.understood.parser == "rules" and shown[0] in session.dialogue.seen
    assert turn.list_changed and not set(shown) & {r.index for r in session.rows}


def test_old_school_is_no_era_nazis_are_no_person_and_bye_is_small_talk(engine, parser):
    """In the browser: "an old-school adventure like Indiana Jones" kept only films up to 1969; "hmm,
    nothing with nazis please" said "I have no cast or crew data, so I can't search for nazis" and excluded
    Crime; "ok thanks! bye" showed a new list."""
    from recommender.chat.year_phrases import find_year_filters

    years = find_year_filters("an old-school adventure like Indiana Jones")
    assert (years.min_year, years.max_year) == (None, None)
    parser.intents["hmm, nothing with nazis please"] = Intent(action="request", exclude_genres=["Crime"], people=["nazis"])
    session = engine.new_session()
    engine.message(session, "comedy")
    rows = [r.index for r in session.rows]
    turn = engine.message(session, "hmm, nothing with nazis please")
    assert "cast" not in turn.reply and not engine.recommender.requests[-1].constraints.exclude_genres
    turn = engine.message(session, "ok thanks! bye")
    assert turn.reply.startswith("You're welcome!") and [r.index for r in session.rows] == rows


def test_feedback_on_a_position_needs_words_that_report_it(engine, parser):
    """Tried as a new user: "one with a twist ending" after crime films said "Noted, you didn't like: Pulp
    Fiction", and "the second one looks great, tell me more" liked #2 and replaced the list."""
    parser.intents.update({
        "one with a twist ending": Intent(action="request", disliked_items=[1], rest=["twist ending"]),
        "the second one looks great, tell me more": Intent(action="feedback", liked_items=[2]),
    })
    session = engine.new_session()
    engine.message(session, "comedy")
    rows = [r.index for r in session.rows]
    turn = engine.message(session, "one with a twist ending")
    assert "didn't like" not in turn.reply and not session.dialogue.disliked
    session = engine.new_session()
    engine.message(session, "comedy")
    rows = [r.index for r in session.rows]
    turn = engine.message(session, "the second one looks great, tell me more")
    assert turn.reply.startswith(f"#2 is **{CATALOG[rows[1]].title}**") and not session.dialogue.liked
    assert [r.index for r in session.rows] == rows


def test_a_general_ask_a_what_about_title_and_an_unknown_title(engine, parser):
    """Tried as a new user: "what should I watch tonight?" got "I didn't find a request in that"; "hmm ok,
    what about blade runner?" described Blade Runner instead of listing films like it; "movies like the
    matrix" (not in the catalogue) asked "Did you mean Matilda, Maverick?"."""
    session = engine.new_session()
    turn = engine.message(session, "what should I watch tonight?")
    assert "didn't find a request" not in turn.reply and turn.rows and session.understood.parser == "rules"
    for text in ("I'm bored, entertain me", "what's popular right now?"):  # were off-topic (the model said so)
        parser.intents[text] = Intent(action="off_topic")
        turn = engine.message(engine.new_session(), text)
        assert "only help you choose" not in turn.reply and turn.rows
    parser.intents["hmm ok, what about blade runner?"] = Intent(action="question", ask="about", item=1)
    engine.message(session, "hmm ok, what about blade runner?")
    assert engine.recommender.requests[-1].references == (index_of(CATALOG, "Blade Runner"),)
    from recommender.chat.parse import parse_message
    from recommender.chat.state import DialogueState
    from recommender.titles import TitleIndex

    update = parse_message("movies like \"the Matrix\"", DialogueState(), TitleIndex(CATALOG))
    assert any("I don't know the movie “the Matrix”. My catalogue has films from" in p for p in update.problems)


def test_less_violent_and_old_genre_words_are_no_title(engine, parser):
    """Tried as a new user: "something like Fargo but less violent" ignored "less violent"; "they like
    old musicals" (the model wrote it as a title) said "I don't know the movie “old musicals”"."""
    parser.intents.update({
        "something like Fargo but less violent": Intent(action="request", like=["Fargo"]),
        "my parents like old comedies": Intent(action="request", liked=["old comedies"]),
    })
    engine.message(engine.new_session(), "something like Fargo but less violent")
    excluded = engine.recommender.requests[-1].constraints.exclude_genres
    assert "Action" in excluded and "Crime" not in excluded  # not Fargo's own genres (fifth session)
    turn = engine.message(engine.new_session(), "my parents like old comedies")
    request = engine.recommender.requests[-1]
    assert "don't know the movie" not in turn.reply and request.wished_genres == ("Comedy",)
    assert request.constraints.max_year == 1969


def test_a_title_followed_by_type_or_style_is_a_reference(engine, parser):
    """In the seventh dev set: "Star Wars type stuff but more recent" (the model: Sci-Fi, no reference)
    listed sci-fi without regard to Star Wars."""
    parser.intents["Fargo type stuff but more recent"] = Intent(action="request", rest=["recent"])
    session = engine.new_session()
    engine.message(session, "Fargo type stuff but more recent")
    assert engine.recommender.requests[-1].references == (index_of(CATALOG, "Fargo"),)
    assert session.dialogue.liked == []


def test_dev11_pre_a_year_adults_the_older_the_better_and_none_of_these_appeal(engine):
    """dev11: "pre-1990" was not read (the hyphen); "anything similar that adults would like" after Toy
    Story listed children's films; "the older the better" set no years; "none of these appeal" became a
    request that excluded Action."""
    engine.message(engine.new_session(), "action movies pre-1990 plz")
    assert engine.recommender.requests[-1].constraints.max_year == 1989
    engine.message(engine.new_session(), "toy story was great, got anything similar that adults would like")
    request = engine.recommender.requests[-1]
    assert "Children's" in request.constraints.exclude_genres and "Children's" not in request.wished_genres
    engine.message(engine.new_session(), "I could go for a comedy tonight, the older the better")
    request = engine.recommender.requests[-1]
    assert request.constraints.max_year == 1969 and request.wished_genres == ("Comedy",)
    session = engine.new_session()
    engine.message(session, "comedy")
    shown = {row.title for row in session.rows}
    engine.message(session, "none of these appeal")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Comedy",) and not request.constraints.exclude_genres
    assert not shown & {row.title for row in session.rows}


def test_dev12_dislike_words_a_comparison_and_only_one_genre(engine):
    """dev12: "i hated titanic. give me a romance that's nothing like it" answered "Noted, you want
    something like: Titanic" (the model's reading); "i never liked pulp fiction" was noted as liked; "more
    about ideas than explosions" wished for action; "just romance, no kids stuff" said "Only Romance,
    Children's from now on." next to "No Children's from now on."."""
    turn = engine.message(engine.new_session(), "i hated casablanca. give me a romance that's nothing like it")
    request = engine.recommender.requests[-1]
    assert not request.references and "something like" not in turn.reply and "didn't like: Casablanca" in turn.reply
    turn = engine.message(engine.new_session(), "i never liked fargo. other crime films?")
    assert "didn't like: Fargo" in turn.reply and "you liked" not in turn.reply
    engine.message(engine.new_session(), "a sci fi film thats more about ideas than explosions")
    assert "Action" not in engine.recommender.requests[-1].wished_genres
    engine.message(engine.new_session(), "horror thats more funny than scary")  # dev6: still horror
    assert engine.recommender.requests[-1].wished_genres == ("Horror", "Comedy")
    session = engine.new_session()
    engine.message(session, "comedy")
    turn = engine.message(session, "just romance, no kids stuff")
    assert "Only Romance from now on." in turn.reply and "No Children's from now on." in turn.reply
    turn = engine.message(engine.new_session(), "fargo type crime stories")  # "Last of the Mohicans type epics"
    assert "something like: Fargo" in turn.reply and "you liked" not in turn.reply


def test_a_plot_and_a_topic_matched_by_genre_say_no_plot_summaries_once():
    """Tried: "a movie about a heist gone wrong, preferably not too long" replied "I have no plot summaries,
    so I can't check for “…”. I have no plot summaries, so I matched “heist” by genre only."."""
    from recommender.chat.answers import missing_data_reply

    reply = missing_data_reply([("plot", "a heist gone wrong"), ("topic", "heist")], understood_more=True)
    assert reply.count("no plot summaries") == 1
    assert reply.startswith("I have no plot summaries, so I can't check for “a heist gone wrong”; I matched “heist” "
                            "by genre only.")
    assert missing_data_reply([("topic", "heist")], True) == "I have no plot summaries, so I matched “heist” by genre only."


def test_less_violent_than_a_reference_keeps_the_references_own_genres(engine):
    """Tried as a new user: "Movies like Fargo, but less violent" excluded Crime and Thriller, Fargo's own
    genres, and listed dramas; as with a wished genre ("a thriller that's not too violent"), only the other
    violent genres go."""
    turn = engine.message(engine.new_session(), "Movies like Fargo, but less violent")
    request = engine.recommender.requests[-1]
    assert request.constraints.exclude_genres == {"Action", "Horror", "War"}
    assert "No Action, Horror, War from now on." in turn.reply
    engine.message(engine.new_session(), "nothing violent")
    assert engine.recommender.requests[-1].constraints.exclude_genres == {"Action", "Crime", "Horror", "Thriller", "War"}


def test_too_cheesy_passes_over_the_list_and_a_gory_question_is_answered_as_far_as_genres_go(engine):
    """Tried as a new user, after horror comedies: "these are too cheesy" showed the same list again; "is the
    first one gory?" was answered "Yes: #1 is Young Frankenstein" (Horror, so "gory")."""
    session = engine.new_session()
    engine.message(session, "horror")
    first, shown = session.rows[0], [row.title for row in session.rows]
    assert "Horror" in first.genres
    turn = engine.message(session, "is the first one gory?")
    assert not turn.reply.startswith("Yes") and "how gory it is, I can't tell from genres alone" in turn.reply
    assert f"**{first.title}**" in turn.reply and "a Horror film" in turn.reply
    turn = engine.message(session, "these are too cheesy")
    assert "I can't tell how cheesy a film is" in turn.reply and not set(shown) & {row.title for row in session.rows}
    assert engine.recommender.requests[-1].wished_genres == ("Horror",) and "can't match" not in turn.reply


def test_a_mood_question_is_answered_as_far_as_genres_go(engine, parser):
    """Tried as a new user, after dramas: "is #1 sad?" was answered "Yes: #1 is Dead Man Walking (1995), Drama."
    and "is #3 uplifting?" (the model: a Comedy?) "No: #3 is The Shawshank Redemption (1994), Drama."; a genre
    tells neither. "is #2 funny?" is still answered from Comedy."""
    session = engine.new_session()
    engine.message(session, "drama")
    rows = session.rows
    assert all("Drama" in row.genres and "Comedy" not in row.genres for row in rows[:3])
    parser.intents["is #1 sad?"] = Intent(action="question", ask="fit", item=1, genres=["Drama"])
    reply = engine.message(session, "is #1 sad?").reply
    assert reply == f"#1 is **{rows[0].title}** ({rows[0].year}), a Drama film ({', '.join(rows[0].genres)}); how sad " \
                    "it is, I can't tell from genres alone.", reply
    parser.intents["is #3 uplifting?"] = Intent(action="question", ask="fit", item=3, genres=["Comedy"])
    reply = engine.message(session, "is #3 uplifting?").reply
    assert reply.startswith(f"#3 is **{rows[2].title}** ({rows[2].year}), a {', '.join(rows[2].genres)} film; how uplifting "
                            "it is, I can't tell"), reply
    parser.intents["is #2 funny?"] = Intent(action="question", ask="fit", item=2, genres=["Comedy"])
    assert engine.message(session, "is #2 funny?").reply.startswith("No: #2 is")
    assert session.rows == rows


def test_not_cheesy_says_that_no_data_tells_how_cheesy_a_film_is(engine, parser):
    """"romance but not cheesy" listed romances and said nothing of the cheese: the model read
    {"action":"request","rest":["romance"]} and dropped the words."""
    for message in ("romance but not cheesy", "a romance that isn't too sappy"):
        parser.intents[message] = Intent(action="request", rest=["romance"])
        turn = engine.message(engine.new_session(), message)
        trait = "cheesy" if "cheesy" in message else "sappy"
        assert f"I can't tell how {trait} a film is from titles, years and genres" in turn.reply, message
        assert engine.recommender.requests[-1].wished_genres == ("Romance",) and turn.rows, message
    turn = engine.message(engine.new_session(), "a cheesy horror movie")  # asked for: nothing to say
    assert "I can't tell" not in turn.reply and turn.rows


def test_dev13_positions_that_look_fun_slang_and_a_hyphenated_word(engine):
    """dev13 (slang, typos): "the 4th and 6th look fun" became a request for comedies that excluded Action
    (the model's reading); "nothing b4 1990" asked for films up to 1990; "docu" was no documentary;
    "not feeling any of these tbh" was a dislike of a title "not feeling any of these tbh"; "more like
    earth-bound stuff" referred to the film "Bound"."""
    from recommender.chat.phrases import GenreLexicon
    from recommender.data.types import Catalog, Item
    from recommender.titles import TitleIndex

    session = engine.new_session()
    engine.message(session, "comedy")
    second, fourth = session.rows[1].title, session.rows[3].title
    turn = engine.message(session, "the 2nd and 4th look fun")
    assert f"you liked: {second}" in turn.reply and fourth in turn.reply and turn.parser == "rules"
    assert engine.recommender.requests[-1].wished_genres == ("Comedy",)
    engine.message(engine.new_session(), "thriller plz, nothing b4 1990")
    request = engine.recommender.requests[-1]
    assert request.constraints.min_year == 1990 and request.wished_genres == ("Thriller",)
    shown = {row.title for row in session.rows}
    turn = engine.message(session, "not feeling any of these tbh")
    assert turn.parser == "rules" and not shown & {row.title for row in session.rows}
    assert GenreLexicon(["Documentary", "Drama"]).names("need a docu, nothing political") == ["Documentary"]
    titles = TitleIndex(Catalog([Item("1", "Bound", 1996, ("Crime",)), Item("2", "Die Hard", 1988, ("Action",))]))
    assert not titles.find_mentions("sci-fi, more like earth-bound stuff")
    assert [m.item for m in titles.find_mentions("something like die-hard")] == [1]


def test_sparing_a_references_genres_changes_nothing_else():
    """Review: the violent genres were forgotten when "violent" was said twice, and every message with an
    exclusion had its "No … from now on." note moved after the others."""
    from recommender.chat.parse import lexicon_for, parse_message
    from recommender.chat.phrases import find_genre_filters
    from recommender.chat.state import DialogueState
    from recommender.titles import TitleIndex

    lexicon = lexicon_for(CATALOG)
    assert find_genre_filters("nothing violent, really not violent", lexicon).violent == [
        "Action", "Crime", "Horror", "Thriller", "War"]
    titles = TitleIndex(CATALOG)
    update = parse_message("movies like Fargo, nothing violent, really not violent", DialogueState(), titles, lexicon)
    assert update.exclude_genres == ["Action", "Horror", "War"]
    update = parse_message("no horror, only comedy", DialogueState(), titles, lexicon)
    assert update.notes == ["No Horror from now on.", "Only Comedy from now on."]


def test_nothing_with_violence_leaves_out_the_violent_genres_but_the_one_asked_for(engine, parser):
    """Tried as a new user: "give me a thriller but nothing with violence" listed Scream (Horror) first and said
    nothing of the violence; it is "nothing violent" said another way."""
    for text in ("give me a thriller but nothing with violence", "a thriller, nothing that's violent",
                 "a thriller without lots of violence"):
        parser.intents[text] = Intent(action="request", genres=["Thriller"])
        turn = engine.message(engine.new_session(), text)
        request = engine.recommender.requests[-1]
        assert request.constraints.exclude_genres == {"Action", "Crime", "Horror", "War"}, text
        assert "Thriller" in request.wished_genres and "No Action, Crime, Horror, War from now on." in turn.reply
    parser.intents["a thriller with violence"] = Intent(action="request", genres=["Thriller"])
    engine.message(engine.new_session(), "a thriller with violence")
    assert not engine.recommender.requests[-1].constraints.exclude_genres


def test_sixth_session_trials_similar_counts_general_asks_and_year_spans(engine, parser):
    """Tried as a new user (sixth session, the shipped model's readings): "I loved Babe, anything similar but
    for adults?" after 70s detective films kept the 1970s and referred to nothing; "give me 5 good
    thrillers" showed ten; "what would you recommend for me?" got "I didn't find a request in that"; "like
    from the 90s" asked "I don't know the movie “from the 90s”"; "more like that one" after "what's #2
    about?" gave no reference; "gritty detective movies" wished Mystery only."""
    parser.intents.update({
        "gritty detective movies from the 70s": Intent(action="request", genres=["Mystery"], years="1970-1979"),
        "I loved Babe, anything similar but for adults?": Intent(action="feedback", liked=["Babe"]),
        "what would you recommend for me?": Intent(action="off_topic"),
        "a sci-fi flick that isn't too long ago, like from the 90s, with aliens":
            Intent(action="request", genres=["Sci-Fi"], like=["from the 90s"], years="1990-1999"),
        "what's #2 about?": Intent(action="question", ask="about", item=2),
    })
    session = engine.new_session()
    engine.message(session, "gritty detective movies from the 70s")
    assert set(engine.recommender.requests[-1].wished_genres) == {"Crime", "Mystery"}
    turn = engine.message(session, "I loved Babe, anything similar but for adults?")
    request = engine.recommender.requests[-1]
    babe = index_of(CATALOG, "Babe")
    assert request.references == (babe,) and request.constraints.min_year is None
    assert "something like: Babe" in turn.reply and "you liked: Babe" not in turn.reply

    session = engine.new_session()
    assert len(engine.message(session, "give me 3 good thrillers").rows) == 3
    assert len(engine.message(session, "more please").rows) == 3
    assert len(engine.message(session, "a comedy").rows) == 5  # a new request: the default again

    assert len(engine.message(engine.new_session(), "give me 4 gritty detective movies").rows) == 4
    assert len(engine.message(engine.new_session(), "top 3 for me").rows) == 3  # said "can't match “top 3 for me”"
    assert len(engine.message(engine.new_session(), "my 2 kids love comedies").rows) == 5  # an age, no count
    turn = engine.message(engine.new_session(), "a mystery")  # the catalogue has one: say so, not silently
    assert "Only 1 of these is Mystery: that is all I have" in turn.reply and len(turn.rows) == 5
    session = engine.new_session()
    engine.message(session, "a mystery")
    turn = engine.message(session, "more")
    assert "I have no more Mystery that fits the rest of your request" in turn.reply  # not "None of these is"
    turn = engine.message(engine.new_session(), "what would you recommend for me?")
    assert "didn't find a request" not in turn.reply and turn.rows
    parser.intents["idk, something popular"] = Intent(action="off_topic")  # the model's reading
    turn = engine.message(engine.new_session(), "idk, something popular")
    assert "only help you choose" not in turn.reply and turn.rows
    parser.intents["what would you pick for a first date?"] = Intent(action="off_topic")  # dev14
    turn = engine.message(engine.new_session(), "what would you pick for a first date?")
    assert engine.recommender.requests[-1].wished_genres == ("Romance",) and turn.rows
    session = engine.new_session()
    engine.message(session, "comedy")
    shown = {row.title for row in session.rows}
    parser.intents["what would you recommend instead?"] = Intent(action="question", ask="about", item=10)  # dev14
    engine.message(session, "what would you recommend instead?")
    assert session.understood.parser == "rules"
    assert engine.recommender.requests[-1].wished_genres == ("Comedy",) and not shown & {r.title for r in session.rows}
    turn = engine.message(engine.new_session(), "a sci-fi flick that isn't too long ago, like from the 90s, with aliens")
    assert "don't know the movie" not in turn.reply and engine.recommender.requests[-1].constraints.min_year == 1990

    session = engine.new_session()
    engine.message(session, "comedy")
    second = session.rows[1]
    engine.message(session, "what's #2 about?")
    turn = engine.message(session, "more like that one")
    assert f"More like: {second.title}" in turn.reply  # as "more like #2" (it was "more like #1")
    second = session.rows[1]
    turn = engine.message(session, "#2 was great, more like that")  # a dev message the model alone read right
    assert f"More like: {second.title}" in turn.reply and "#2 is" not in turn.reply


def test_all_the_movies_of_a_series_and_what_else_is_like_them():
    """"I've seen all the Godfather movies, what else is like them" noted The Godfather as seen and asked
    for nothing; a leading "Die" is no article here ("Die Hard" is no "Hard Rain")."""
    from recommender.chat.parse import parse_message
    from recommender.chat.state import DialogueState
    from recommender.data.types import Catalog, Item
    from recommender.titles import TitleIndex

    titles = TitleIndex(Catalog([Item("1", "Godfather, The", 1972), Item("2", "Godfather: Part II, The", 1974),
                                 Item("3", "Die Hard", 1988), Item("4", "Die Hard 2", 1990), Item("5", "Hard Rain", 1998),
                                 Item("6", "Casino", 1995)]))
    update = parse_message("I've seen all the Godfather movies, what else is like them", DialogueState(), titles)
    assert update.seen == [0, 1] and update.references == [0, 1] and update.new_request
    update = parse_message("loved both die hard films", DialogueState(), titles)
    assert update.liked == [2, 3]
    update = parse_message("I loved the Godfather", DialogueState(), titles)
    assert update.liked == [0]
    titles = TitleIndex(Catalog([Item("1", "Alien", 1979), Item("2", "Alien 3", 1992), Item("3", "Aliens", 1986)]))
    update = parse_message("ive seen every alien movie, whats like them?", DialogueState(), titles)  # dev14
    assert update.seen == [0, 1] and update.references == [0, 1]


def test_a_lowercase_full_name_is_one_person_said_back_capitalised(engine, parser):
    """"not john wayne stuff though" (the model: people ["wayne"], rest ["john wayne"]) answered "I can't search
    for wayne" and "I can't match “john wayne”"; "anything with jim carrey" said "jim carrey"."""
    parser.intents.update({
        "not john wayne stuff though": Intent(action="request", people=["wayne"], rest=["john wayne"]),
        "anything with jim carrey": Intent(action="request", people=["jim carrey"]),
    })
    turn = engine.message(engine.new_session(), "not john wayne stuff though")
    assert "I can't search for John Wayne." in turn.reply and "match" not in turn.reply
    turn = engine.message(engine.new_session(), "anything with jim carrey")
    assert "I can't search for Jim Carrey." in turn.reply


def test_a_degree_of_the_wished_genre_keeps_it_and_an_addition_the_model_called_more_adds(engine, parser):
    """Tried as a new user: "horror", then "ok but not so gory" said "No Horror from now on." and listed Star
    Wars; "gimme some 80s action flicks", then "add some comedy to that" (the model: "more") listed more
    action without comedy; "only the ones with aliens" could not be matched at all."""
    session = engine.new_session()
    engine.message(session, "horror")
    shown = {row.title for row in session.rows}
    turn = engine.message(session, "ok but not so gory")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Horror",) and "Horror" not in request.constraints.exclude_genres
    assert "how gory a film is" in turn.reply and not shown & {row.title for row in session.rows}
    engine.message(session, "less gore, more psychological")  # dev8: the noun too
    assert "Horror" not in engine.recommender.requests[-1].constraints.exclude_genres
    engine.message(session, "no horror")  # the genre named: excluded
    assert "Horror" in engine.recommender.requests[-1].constraints.exclude_genres
    session = engine.new_session()
    engine.message(session, "horror")
    engine.message(session, "less scary please")  # less of what the genre is (dev4): excluded
    assert "Horror" in engine.recommender.requests[-1].constraints.exclude_genres

    parser.intents["add some comedy to that"] = Intent(action="more")
    session = engine.new_session()
    engine.message(session, "action")
    engine.message(session, "add some comedy to that")
    assert engine.recommender.requests[-1].wished_genres == ("Action", "Comedy")

    session = engine.new_session()
    engine.message(session, "sci-fi")
    turn = engine.message(session, "only the ones with aliens")
    assert engine.recommender.requests[-1].wished_genres == ("Sci-Fi",) and "by genre only" in turn.reply


def test_someone_who_hates_violence_gets_no_violent_genres(engine):
    """"date night with my wife, she hates violence" liked "The Wife" and excluded nothing."""
    engine.message(engine.new_session(), "romance, she hates violence")
    assert engine.recommender.requests[-1].constraints.exclude_genres >= {"Action", "Crime", "Horror", "War"}
    engine.message(engine.new_session(), "she doesn't like violent films")
    assert "War" in engine.recommender.requests[-1].constraints.exclude_genres


def test_the_last_movie_i_watched_is_the_last_of_the_history_not_of_the_list(engine, parser):
    """Known user 55: "anything like the last movie i watched?" (the model: like #10) asked for films like the
    list's #10 (The Princess Bride), not like Die Hard, the last film the user rated."""
    parser.intents["anything like the last movie i watched?"] = Intent(action="request", like_items=[10])
    engine.recommender.histories = {"55": [index_of(CATALOG, "Heat", 1995), index_of(CATALOG, "Fargo")]}
    session = engine.new_session("55")
    engine.open(session)
    turn = engine.message(session, "anything like the last movie i watched?")
    assert engine.recommender.requests[-1].references == (index_of(CATALOG, "Fargo"),)
    assert "something like: Fargo" in turn.reply
    title = next(item.title for i, item in enumerate(CATALOG) if i not in session.dialogue.last_shown
                 and item.title not in ("Heat", "Fargo"))  # a film liked in the message, not on the list
    message = f"I loved {title}, anything like the last movie i watched?"
    parser.intents[message] = Intent(action="request", liked=[title])
    turn = engine.message(session, message)
    assert f"you liked: {title}" in turn.reply and "something like: Fargo" in turn.reply  # the liked note was dropped
    engine.message(session, "reset")
    assert session.dialogue.last_watched == index_of(CATALOG, "Fargo")
    session = engine.new_session()
    engine.open(session)
    turn = engine.message(session, "anything like the last movie i watched?")
    assert "I don't know what you watched last" in turn.reply and not engine.recommender.requests[-1].references


def test_something_different_from_usual_is_what_the_history_holds_least(engine, parser):
    """Known user 13: "something different from what i usually watch" answered "I can't match “what i usually
    watch”" and listed popular films; a new user has no "usual"."""
    from recommender.chat.history_asks import genre_sizes, history_genres

    parser.intents["something different from what i usually watch"] = Intent(action="request",
                                                                              rest=["what i usually watch"])
    engine.recommender.histories = {"13": [index_of(CATALOG, t) for t in ("Clueless", "Groundhog Day", "Big")]}
    session = engine.new_session("13")
    engine.open(session)
    turn = engine.message(session, "something different from what i usually watch")
    usual, unusual = history_genres([CATALOG[i].genres for i in engine.recommender.histories["13"]], genre_sizes(CATALOG))
    assert usual == ("Comedy", "Romance") and not set(unusual) & {"Comedy", "Romance", "Fantasy"}
    assert engine.recommender.requests[-1].wished_genres == unusual and "can't match" not in turn.reply
    assert f"mostly Comedy and Romance; here are {' and '.join(unusual)} films" in turn.reply
    turn = engine.message(engine.new_session(), "something different from what i usually watch")
    assert "I don't know what you usually watch yet" in turn.reply and turn.rows


def test_why_these_is_about_the_list(engine, parser):
    """"why did you pick these?" (the model: why #10) was answered with #10's explanation alone."""
    parser.intents["why did you pick these?"] = Intent(action="question", ask="why", item=5)
    session = engine.new_session()
    engine.message(session, "comedy")
    shown = [row.title for row in session.rows]
    turn = engine.message(session, "why did you pick these?")
    assert turn.reply.startswith("They follow what you asked for (Comedy), the best fit first")
    assert [row.title for row in session.rows] == shown
    from recommender.chat.list_answers import answer_which
    from recommender.chat.state import Question

    two = [index_of(CATALOG, "Scream"), index_of(CATALOG, "Fargo"), index_of(CATALOG, "Alien")]  # 1996, 1996, 1979
    reply = answer_which(Question("which", two[0], 0, order="newest"), two, CATALOG)
    assert reply == "The newest are #1 **Scream** and #2 **Fargo**, both from 1996."  # was "all from"


def test_in_color_is_after_the_black_and_white_era():
    """"something like casablanca but in color" kept Casablanca's era."""
    from recommender.chat.year_phrases import find_year_filters

    found = find_year_filters("something like casablanca but in color")
    assert (found.min_year, found.max_year) == (1960, None)


def test_a_film_the_catalogue_does_not_hold_is_named_as_unknown_not_as_unmatched_words(engine, parser):
    """"I loved Inception" (the model: liked Inception) answered "I can't match “I loved Inception”" and
    offered Addiction as a typo of it."""
    parser.intents["I loved Inception"] = Intent(action="feedback", liked=["Inception"])
    parser.intents["something like Interstellar but older"] = Intent(action="request", like=["Interstellar"])
    turn = engine.message(engine.new_session(), "I loved Inception")
    assert "I don't know the movie “Inception”. My catalogue has films from" in turn.reply
    assert "can't match" not in turn.reply
    turn = engine.message(engine.new_session(), "something like Interstellar but older")
    assert "I don't know the movie “Interstellar”. My catalogue has films from" in turn.reply


def test_suggestions_for_an_unknown_title_start_like_it():
    from recommender.titles import TitleIndex

    titles = TitleIndex(CATALOG)
    assert titles.link("Inceptoin").status == "unknown"
    assert titles.link("Casablanka Nights").candidates == [index_of(CATALOG, "Casablanca")]  # a typo: same first letter
    assert all(CATALOG[i].title[0] == "F" for i in titles.link("Fargoo Nights").candidates)


def test_a_film_everyone_has_seen_is_a_popular_pick_not_a_seen_title(engine, parser):
    parser.intents["a movie everyone has seen"] = Intent(action="request", seen=["a movie everyone has seen"])
    session = engine.new_session()
    turn = engine.message(session, "a movie everyone has seen")
    assert turn.rows and "can't match" not in turn.reply and not session.dialogue.seen


def test_an_ask_naming_only_unknown_films_still_gets_a_list(engine, parser):
    """"i loved the matrix and inception, what else?" said the catalogue's years twice, then "I didn't find a
    request in that"."""
    parser.intents["i loved the matrix and inception, what else?"] = Intent(action="request",
                                                                           liked=["the matrix", "inception"])
    turn = engine.message(engine.new_session(), "i loved the matrix and inception, what else?")
    assert "I don't know the movie “the matrix”. My catalogue has films from" in turn.reply
    assert turn.reply.count("My catalogue has films from") == 1
    assert turn.rows and "I didn't find a request" not in turn.reply


def test_like_my_favourites_is_the_users_best_rated_films_and_havent_seen_marks_nothing(engine, parser):
    """Known user 13: "something i haven't seen that's like my favourites" (the model: like "my favourites",
    the rules: seen #1 and like #1) noted the list's #1 as liked and as a reference."""
    parser.intents["something i haven't seen that's like my favourites"] = Intent(action="request",
                                                                                  like=["my favourites"])
    engine.recommender.histories = {"13": [index_of(CATALOG, t) for t in ("Clueless", "Groundhog Day", "Big")]}
    session = engine.new_session("13")
    engine.open(session)
    shown = list(session.dialogue.last_shown)
    turn = engine.message(session, "something i haven't seen that's like my favourites")
    request = engine.recommender.requests[-1]
    assert list(request.references) == [index_of(CATALOG, t) for t in ("Big", "Groundhog Day", "Clueless")]
    assert not session.dialogue.seen and not set(session.dialogue.liked) & set(shown)
    assert "can't match" not in turn.reply and turn.rows
    turn = engine.message(engine.new_session(), "something i haven't seen that's like my favourites")
    assert "I don't know your favourites yet" in turn.reply and turn.rows


def test_favourites_are_the_best_rated_films_newest_first_among_equals():
    import numpy as np

    from recommender.chat.history_asks import favourites

    ratings = np.array([5, 3, np.nan, 4, 5, 2], dtype=np.float32)
    assert favourites([10, 11, 12, 13, 14, 15], ratings) == (14, 10, 13)
    assert favourites([10, 11], np.array([np.nan, 3.0], dtype=np.float32)) == ()


@pytest.mark.parametrize("text", ["I haven't seen Alien, is it good?", "i've never seen Alien", "never watched Alien yet"])
def test_not_having_seen_a_film_marks_nothing(text):
    from recommender.chat.parse import parse_message
    from recommender.chat.state import DialogueState
    from recommender.titles import TitleIndex

    update = parse_message(text, DialogueState(), TitleIndex(CATALOG))
    assert not update.seen and not update.liked and update.referenced == index_of(CATALOG, "Alien")


def test_the_models_seen_is_dropped_when_the_message_says_not_seen(engine, parser):
    """"I haven't seen Alien, is it good?" (the model: seen Alien) noted Alien as seen."""
    parser.intents["I haven't seen Alien, is it good?"] = Intent(action="feedback", seen=["Alien"])
    parser.intents["i've seen Alien"] = Intent(action="feedback", seen=["Alien"])
    session = engine.new_session()
    turn = engine.message(session, "I haven't seen Alien, is it good?")
    assert not session.dialogue.seen and "you've seen" not in turn.reply
    assert turn.reply.startswith("**Alien** (1979), an Action, Horror, Sci-Fi, Thriller film.") and not turn.list_changed
    engine.message(session, "i've seen Alien")
    assert list(session.dialogue.seen) == [index_of(CATALOG, "Alien")]


def test_more_like_a_listed_item_keeps_the_request_on_screen(engine, parser):
    """"something funny", "older please", then "#3 looks good, more like that" (the model: like #3) listed
    films of any genre and year like #3; as with the rules' "more like #3", the request stays."""
    parser.intents["#3 looks good, more like that"] = Intent(action="request", like_items=[3])
    session = engine.new_session()
    engine.message(session, "comedy")
    engine.message(session, "older please")
    third = session.rows[2].index
    turn = engine.message(session, "#3 looks good, more like that")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Comedy",) and request.constraints.max_year == 1989
    assert third in request.liked and not request.references and f"More like: {CATALOG[third].title}" in turn.reply
    parser.intents["seen #1, #2 looks good, more like that"] = Intent(action="request", like_items=[2], seen_items=[1])
    first, second = session.rows[0].index, session.rows[1].index
    turn = engine.message(session, "seen #1, #2 looks good, more like that")
    assert f"More like: {CATALOG[second].title}" in turn.reply and f"you've seen: {CATALOG[first].title}" in turn.reply


@pytest.mark.parametrize("text", ["too violent, something lighter", "way too much violence in these"])
def test_too_violent_leaves_out_the_violent_genres(text):
    """"anything like Pulp Fiction?", then "too violent, something lighter" (the model: Comedy) listed
    Man Bites Dog and Hana-bi."""
    from recommender.chat.parse import parse_message
    from recommender.chat.state import DialogueState
    from recommender.titles import TitleIndex

    update = parse_message(text, DialogueState(), TitleIndex(CATALOG))
    assert {"Action", "Crime", "Horror", "Thriller", "War"} <= set(update.exclude_genres)


def test_not_in_the_mood_for_any_of_these_passes_over_the_list_and_stuff_is_filler():
    from recommender.chat.parse import parse_message
    from recommender.chat.state import DialogueState
    from recommender.titles import TitleIndex

    state = DialogueState(last_shown=[0, 1, 2])
    assert parse_message("hmm not in the mood for any of these", state, TitleIndex(CATALOG)).more
    update = parse_message("only 90s stuff", state, TitleIndex(CATALOG))
    assert (update.min_year, update.max_year) == (1990, 1999) and not update.query


@pytest.mark.parametrize("text", ["what's the best movie ever made?", "what are the greatest films of all time"])
def test_the_best_film_ever_is_a_request_for_anything(engine, parser, text):
    """"what's the best movie ever made?" said "I can't match “what's the best movie ever made”"."""
    parser.intents[text] = Intent(action="request", rest=[text.rstrip("?")])
    turn = engine.message(engine.new_session(), text)
    assert turn.rows and "can't match" not in turn.reply


def test_something_similar_to_that_after_the_history_is_like_its_films_not_those_rated_low(engine, parser):
    """Tried as known user 13: "what did I watch last?" named five films, then "something similar to that" said "I
    didn't find a request in that"; it is like the films named, but not the ones rated 2/5 or lower."""
    import numpy as np

    from recommender.data.split import UserHistory

    items = [index_of(CATALOG, t) for t in ("Clueless", "Groundhog Day", "Big")]
    engine.recommender.user_history = lambda user: UserHistory(user, np.array(items, dtype=np.int32), np.array(
        [4.0, 1.0, 5.0], dtype=np.float32), np.arange(3, dtype=np.int64))
    session = engine.new_session("7")
    parser.intents["what have i watched recently?"] = Intent(action="request", rest=["what have i recently"])
    assert engine.message(session, "what have i watched recently?").reply.startswith("Your last films")
    parser.intents["something similar to that"] = Intent(action="request", like=["that"])
    turn = engine.message(session, "something similar to that")
    assert "didn't find a request" not in turn.reply and turn.list_changed, turn.reply
    assert set(engine.recommender.requests[-1].references) == {items[0], items[2]}


def test_what_have_i_watched_lists_the_known_users_last_films(engine, parser):
    """Known user 196: "what have i watched recently?" said "I can't match “what have i recently”"."""
    parser.intents["what have i watched recently?"] = Intent(action="request", rest=["what have i recently"])
    engine.recommender.histories = {"7": [index_of(CATALOG, t) for t in ("Clueless", "Groundhog Day", "Big")]}
    session = engine.new_session("7")
    engine.open(session)
    shown = [r.index for r in session.rows]
    turn = engine.message(session, "what have i watched recently?")
    assert turn.reply.startswith("Your last films, newest first: **Big (1988)** 4/5, **Groundhog Day (1993)** 4/5")
    assert "3 in all, mostly Comedy" in turn.reply and [r.index for r in session.rows] == shown and not turn.list_changed
    # "what do you know about me?" said "I can only help you choose movies"; "what kind of movies do I like?" too
    for text, head in (("what do you know about me?", "Your last films"),
                       ("what kind of movies do I like?", "Your best rated"),
                       ("what's my favourite genre?", "Your best rated")):  # it said "I can't match …"
        parser.intents[text] = Intent(action="off_topic")
        assert engine.message(session, text).reply.startswith(head), text
    turn = engine.message(engine.new_session(), "what have i watched recently?")
    assert "I don't know what you watched" in turn.reply and "can't match" not in turn.reply
    parser.intents["show my ratings"] = Intent(action="off_topic")  # the model's reading
    assert engine.message(session, "show my ratings").reply.startswith("Your last films")
    # known user 33 was told "**Desperate Measures (1998)** 4/5, …, **Desperate Measures (1998)** 4/5": ML-100k
    # lists some films twice under two ids
    engine.recommender.histories["7"] = [index_of(CATALOG, t) for t in ("Big", "Clueless", "Groundhog Day", "Big")]
    turn = engine.message(session, "what have i watched recently?")
    assert turn.reply.count("**Big (1988)**") == 1 and "4 in all" in turn.reply


def test_who_the_film_is_watched_with_is_not_missing_data_and_disney_is_for_children(engine, parser):
    parser.intents["a movie to watch with my dad, he likes comedies"] = Intent(action="request", genres=["Comedy"],
                                                                              plot=["my dad"])
    turn = engine.message(engine.new_session(), "a movie to watch with my dad, he likes comedies")
    assert "my dad" not in turn.reply and engine.recommender.requests[-1].wished_genres == ("Comedy",)
    # the model quoted "movie my dad" from "an old movie my dad would like": "I can't match “movie my dad”"
    parser.intents["an old movie my dad would like"] = Intent(action="request", years="-1969", rest=["movie my dad"])
    turn = engine.message(engine.new_session(), "an old movie my dad would like")
    assert "my dad" not in turn.reply and engine.recommender.requests[-1].constraints.max_year == 1969
    # "I just broke up with my girlfriend" got "I can't tell what they would enjoy" over the most-watched films
    parser.intents["I just broke up with my girlfriend"] = Intent(action="off_topic")
    turn = engine.message(engine.new_session(), "I just broke up with my girlfriend")
    assert "what they would enjoy" not in turn.reply and not turn.rows
    from recommender.chat.parse import lexicon_for

    assert lexicon_for(CATALOG).names("any good Disney movies?") == ["Children's"]


def test_but_not_the_sequels_leaves_out_the_rest_of_the_series():
    """"something like the godfather but not the sequels" listed The Godfather Part II."""
    from recommender.chat.parse import lexicon_for
    from recommender.chat.router import MessageRouter
    from recommender.chat.state import DialogueState
    from recommender.data.types import Catalog, Item
    from recommender.titles import TitleIndex

    catalog = Catalog([Item("1", "Godfather, The", 1972, ("Crime", "Drama")),
                       Item("2", "Godfather: Part II, The", 1974, ("Crime", "Drama")),
                       Item("3", "GoodFellas", 1990, ("Crime", "Drama"))])
    router = MessageRouter(TitleIndex(catalog), lexicon_for(catalog), None, mode="rules")
    update = router.understand("something like the godfather but not the sequels", DialogueState()).update
    assert update.references == [0] and update.excluded == [1]
    assert "Noted, not for you: Godfather: Part II, The (1974)." in update.notes
    update = router.understand("something like the godfather", DialogueState()).update
    assert update.references == [0] and not update.excluded


def test_a_title_before_sequels_is_no_exclusion_and_an_unknown_series_is_said():
    """Tried as a new user: "like the godfather but not godfather sequels" listed The Godfather: Part II first
    and said "Noted, not for you: The Godfather" (the model left out the title in "not godfather sequels"); "like
    Star Wars but not the sequels" listed Return of the Jedi first, unexplained: their titles share no word."""
    from recommender.chat.state import DialogueState, Update
    from recommender.chat.targets import not_the_sequels
    from recommender.data.types import Catalog, Item
    from recommender.titles import TitleIndex

    titles = TitleIndex(Catalog([Item("1", "Godfather, The", 1972, ("Crime", "Drama")),
                                 Item("2", "Godfather: Part II, The", 1974, ("Crime", "Drama")),
                                 Item("3", "Star Wars", 1977, ("Action", "Sci-Fi")),
                                 Item("4", "Return of the Jedi", 1983, ("Action", "Sci-Fi"))]))
    update = Update(references=[0], excluded=[0], notes=["Noted, not for you: Godfather, The (1972)."])
    not_the_sequels(update, DialogueState(), "like the godfather but not godfather sequels", titles)
    assert update.excluded == [1] and update.notes == ["Noted, not for you: Godfather: Part II, The (1974)."]
    update = Update(references=[2])
    not_the_sequels(update, DialogueState(), "something like Star Wars but not the sequels", titles)
    assert not update.excluded and update.notes == [
        "I can't tell from titles alone which films continue Star Wars (1977), so a sequel may still be listed: "
        "say “not #1” or mark it Seen."]


@pytest.mark.parametrize("text, asks", [("what did i watch last?", True), ("show my ratings", True),
                                        ("what do i watch tonight?", False), ("something like what i watched", False)])
def test_which_messages_ask_about_the_users_own_history(text, asks):
    from recommender.chat.history_asks import WHAT_I_WATCHED

    assert bool(WHAT_I_WATCHED.search(text)) == asks


def test_like_the_last_movie_i_watched_passes_over_a_film_rated_low():
    """Known user 196: "like the last movie I watched" meant Operation Dumbo Drop, which they rated 1/5."""
    import numpy as np

    from recommender.chat.history_asks import last_well_rated, the_last_one_watched
    from recommender.chat.state import DialogueState, Update
    from recommender.titles import TitleIndex

    assert last_well_rated([3, 4, 5], np.array([4, 5, 1], dtype=np.float32)) == (4, 5)
    assert last_well_rated([3, 4, 5], np.array([4, np.nan, 2], dtype=np.float32)) == (4, 5)  # unknown: not low
    assert last_well_rated([3, 4], np.array([1, 2], dtype=np.float32)) == (4, None)  # all low: the last, as is
    assert last_well_rated([3, 4], np.array([1, 3], dtype=np.float32)) == (4, None)
    alien, big = index_of(CATALOG, "Alien"), index_of(CATALOG, "Big")
    update = Update()
    the_last_one_watched(update, DialogueState(last_watched=alien, last_watched_low=big),
                         "anything like the last movie i watched?", TitleIndex(CATALOG))
    assert update.references == [alien]
    assert "You rated your last film, Big (1988), low; these are like the last one you rated higher, Alien (1979)." \
        in update.notes


def _rules_router(catalog=CATALOG):
    from recommender.chat.parse import lexicon_for
    from recommender.chat.router import MessageRouter
    from recommender.titles import TitleIndex

    return MessageRouter(TitleIndex(catalog), lexicon_for(catalog), None, mode="rules")


def test_a_title_as_a_date_bounds_the_years_and_is_not_liked():
    """"what's a good sci fi from before star wars came out" liked Star Wars and excluded War (dev16)."""
    from recommender.chat.state import DialogueState

    update = _rules_router().understand("what's a good sci fi from before star wars came out", DialogueState()).update
    assert (update.min_year, update.max_year) == (None, 1976) and not update.liked and not update.references
    assert "War" not in update.exclude_genres and "Only films from before 1977." in update.notes
    update = _rules_router().understand("comedies made after Clueless", DialogueState()).update
    assert (update.min_year, update.max_year) == (1996, None) and not update.liked


@pytest.mark.parametrize("text, years", [("anything scary from the 70s or earlier", (None, 1979)),
                                         ("comedies from the 80s and up", (1980, None)),
                                         ("westerns from the 60s or 70s", (1960, 1979))])
def test_a_decade_with_or_earlier_is_an_open_range(text, years):
    from recommender.chat.year_phrases import find_year_filters

    found = find_year_filters(text)
    assert (found.min_year, found.max_year) == years


def test_along_those_lines_after_a_title_asks_for_films_like_it_and_less_bloody_leaves_out_horror(engine, parser):
    """"my favorite film is Jaws, anything along those lines but less bloody?" kept Jaws only as liked, and
    listed Evil Dead II and Blood Beach."""
    parser.intents["my favorite film is Alien, anything along those lines but less bloody?"] = Intent(
        action="request", liked=["Alien"], genres=["Action"], exclude_genres=["Crime"])
    session = engine.new_session()
    turn = engine.message(session, "my favorite film is Alien, anything along those lines but less bloody?")
    request = engine.recommender.requests[-1]
    assert index_of(CATALOG, "Alien") in request.references
    assert "Horror" in request.constraints.exclude_genres and "Crime" not in request.constraints.exclude_genres
    assert "I can't tell how bloody a film is from its genres, so I left out Horror from now on." in turn.reply
    assert "No Horror from now on." not in turn.reply  # said once
    assert not any("Horror" in row.genres for row in session.rows)


def test_less_gore_keeps_horror_when_horror_is_asked_for():
    from recommender.chat.state import DialogueState

    update = _rules_router().understand("a scary movie but less gory", DialogueState()).update
    assert "Horror" not in update.exclude_genres  # and the reply says what genres cannot tell:
    assert "I can't tell how gory a film is from its genres, so these are Horror films as asked." in update.notes


@pytest.mark.parametrize("text", ["scary but not gory", "a horror film, no gore", "a creepy movie without gore",
                                  "somethin scarry but not to gory"])  # tried: "No Horror from now on." (typos)
def test_a_scary_film_without_gore_keeps_horror_and_says_genres_cannot_tell_gore(text):
    """"scary but not gory" listed the Shining, A Nightmare on Elm Street and Alien, saying nothing of the gore
    (only "not so/too gory" and "less gory" were read)."""
    from recommender.chat.state import DialogueState

    update = _rules_router().understand(text, DialogueState()).update
    assert update.wished_genres == ["Horror"] or update.include_genres == ["Horror"] or "Horror" in update.query_hints
    assert "Horror" not in update.exclude_genres
    assert any(n.startswith("I can't tell how") and "Horror films as asked" in n for n in update.notes), update.notes


def test_horror_that_the_model_also_excluded_for_its_gore_stays_wished(engine, parser):
    parser.intents["a horror film with no gore"] = Intent(action="request", genres=["Horror"], exclude_genres=["Horror"])
    turn = engine.message(engine.new_session(), "a horror film with no gore")
    assert "Horror" not in engine.recommender.requests[-1].constraints.exclude_genres
    assert "No Horror from now on." not in turn.reply and "so these are Horror films as asked" in turn.reply


def test_monster_movies_are_horror_not_mobster_films():
    from recommender.chat.parse import lexicon_for

    assert lexicon_for(CATALOG).names("monster movies!!") == ["Horror"]


@pytest.mark.parametrize("text", ["the first one's not for me, show others", "#1 isn't my thing",
                                  "the first one looks boring"])
def test_a_position_turned_down_by_words_after_it_is_not_for_the_person(text):
    """"the first one's not for me, show others" replied "I can't match “s not for me”"."""
    from recommender.chat.state import DialogueState

    state = DialogueState(last_shown=[4, 6, 14], shown=[4, 6, 14], turn=1)
    update = _rules_router().understand(text, state).update
    assert update.excluded == [4] and not update.query and "Noted, not for you: Alien (1979)." in update.notes


def test_like_before_a_year_is_no_reference_to_a_listed_item(engine, parser):
    """"none of these, something older, like before 1970": the model read "like #10"."""
    session = engine.new_session()
    engine.message(session, "horror")
    parser.intents["none of these, something older, like before 1970"] = Intent(
        action="request", like_items=[5], years="-1970")
    turn = engine.message(session, "none of these, something older, like before 1970")
    assert "something like" not in turn.reply and not engine.recommender.requests[-1].references


def test_cue_words_the_model_wrote_into_a_title_span_are_dropped(engine, parser):
    """"just watched Fargo and loved it" replied "I don't know the movie “just watched Fargo”"."""
    parser.intents["just watched Fargo and loved it, whats next"] = Intent(
        action="request", liked=["Fargo"], seen=["just watched Fargo"])
    turn = engine.message(engine.new_session(), "just watched Fargo and loved it, whats next")
    assert "I don't know the movie" not in turn.reply and "Noted, you've seen: Fargo (1996)." in turn.reply


def test_the_darker_the_better_is_no_title_and_heard_good_things_about_a_title_is_no_plot(engine, parser):
    """"the grittier the better" got "I don't know the movie “the grittier”. Did you mean Grifters?", and
    "Heard good things about Chinatown, anything like it" got "I have no plot summaries"."""
    parser.intents["i like crime dramas, the grittier the better"] = Intent(
        action="request", like=["crime dramas", "the grittier"])
    turn = engine.message(engine.new_session(), "i like crime dramas, the grittier the better")
    assert "I don't know the movie" not in turn.reply
    message = "i need something to cheer me up after a breakup"  # tried as a new user: "the movie “a breakup”"
    parser.intents[message] = Intent(action="request", genres=["Comedy"], disliked=["a breakup"])
    turn = engine.message(engine.new_session(), message)
    assert "I don't know the movie" not in turn.reply and turn.rows
    # tried as a new user: "I don't know the movie “a rough day”. Did you mean Rough Magic?"; "I had a long week"
    # said "I have no running times, so I can't check for “a long”"
    for message, intent in (("I need something uplifting, I had a rough day", Intent(action="request",
                                                                                     disliked=["a rough day"])),
                            ("I had a long week, something light", Intent(action="request", rest=["light"])),
                            ("I've had such a bad day, cheer me up", Intent(action="feedback", disliked=["a bad day"]))):
        parser.intents[message] = intent
        turn = engine.message(engine.new_session(), message)
        assert "I don't know the movie" not in turn.reply and "running times" not in turn.reply and turn.rows, message
    from recommender.chat.title_spans import not_compared_titles

    intent = Intent(action="request", like=["Heat", "Babe"], disliked=["a breakup"])
    kept = not_compared_titles(intent, "something like heat to watch after babe, after a breakup")
    assert kept.like == ["Heat", "Babe"] and kept.disliked == []  # a title after "after" stays one
    parser.intents["Heard good things about Fargo, anything like it"] = Intent(action="request", like=["Fargo"])
    turn = engine.message(engine.new_session(), "Heard good things about Fargo, anything like it")
    assert "plot" not in turn.reply and index_of(CATALOG, "Fargo") in engine.recommender.requests[-1].references


def test_a_degree_question_about_a_listed_item_reads_as_one_sentence(engine):
    session = engine.new_session()
    engine.message(session, "horror")
    turn = engine.message(session, "is the first one gory?")
    assert f"#1 is **{session.rows[0].title}** ({session.rows[0].year}), a Horror film" in turn.reply


def test_no_sequels_without_a_title_leaves_out_every_numbered_or_continued_title():
    """"horror movies, no sequels" did nothing when it named no film."""
    from recommender.chat.state import DialogueState
    from recommender.data.types import Catalog, Item

    catalog = Catalog([Item("1", "Jaws", 1975, ("Horror",)), Item("2", "Jaws 2", 1978, ("Horror",)),
                       Item("3", "Star Trek III: The Search for Spock", 1984, ("Sci-Fi",)),
                       Item("4", "Alien", 1979, ("Horror",)), Item("5", "Alien: Resurrection", 1997, ("Horror",)),
                       Item("6", "Magnificent Seven, The", 1954, ("Western",)), Item("7", "Scream", 1996, ("Horror",))])
    update = _rules_router(catalog).understand("horror movies, no sequels", DialogueState()).update
    assert sorted(update.excluded) == [1, 2, 4] and not update.missing
    assert any(note.startswith("No sequels from now on") for note in update.notes)


def test_rewriting_the_noted_lines_keeps_what_was_turned_down():
    from recommender.chat.state import Update
    from recommender.chat.title_spans import renote
    from recommender.titles import TitleIndex

    alien, fargo = index_of(CATALOG, "Alien"), index_of(CATALOG, "Fargo")
    update = Update(liked=[alien], excluded=[fargo], notes=["Noted, not for you: Fargo (1996)."])
    renote(update, TitleIndex(CATALOG))
    assert "Noted, not for you: Fargo (1996)." in update.notes and "Noted, you liked: Alien (1979)." in update.notes


def test_a_genre_word_right_after_seen_is_the_film_and_an_adjective_after_too_is_no_title():
    """"seen alien and aliens, want more space horror" listed Alien first; "drama but not too heavy" noted
    "you liked: Heavy (1995)"."""
    from recommender.chat.state import DialogueState
    from recommender.data.types import Catalog, Item

    catalog = Catalog(list(CATALOG) + [Item("99", "Heavy", 1995, ("Drama",))])
    router = _rules_router(catalog)
    update = router.understand("seen alien and aliens, want more space horror", DialogueState()).update
    assert sorted(update.seen) == sorted([index_of(CATALOG, "Alien"), index_of(CATALOG, "Aliens")])
    update = router.understand("drama but not too heavy, from the late 90s", DialogueState()).update
    assert not update.liked and (update.min_year, update.max_year) == (1995, 1999)
    assert not router.understand("i loved war movies", DialogueState()).update.liked


@pytest.mark.parametrize("text, excluded", [
    ("something romantic, but my bf won't watch anything sappy or scary", ["Horror"]),
    ("not scary or funny please", ["Horror", "Comedy"]),
    ("dont want anything animated or for kids", ["Animation", "Children's"]),
    ("not in the mood for anything sad or scary", ["Drama", "Horror"]),
])
def test_wont_watch_excludes_the_genre_named_after_another_word(text, excluded):
    """"something romantic, but my bf won't watch anything sappy or musical" listed only musicals."""
    from recommender.chat.state import DialogueState

    assert _rules_router().understand(text, DialogueState()).update.exclude_genres == excluded


@pytest.mark.parametrize("text, spared", [("I've seen all of them except babe", "Babe"),
                                          ("seen all of these but #2", "Toy Story"),
                                          ("seen em all apart from the last one", "Fargo")])
def test_all_of_them_except_one_marks_the_others_seen(text, spared):
    """"I've seen all of them except babe" marked only Babe seen."""
    from recommender.chat.state import DialogueState

    shown = [index_of(CATALOG, t) for t in ("Alien", "Toy Story", "Babe", "Fargo")]
    state = DialogueState(last_shown=shown, shown=list(shown), turn=1)
    update = _rules_router().understand(text, state).update
    assert sorted(update.seen) == sorted(i for i in shown if i != index_of(CATALOG, spared))


def test_is_it_black_and_white_is_answered_from_the_year_and_says_so(engine, parser):
    session = engine.new_session()
    engine.message(session, "film noir")
    position = next(p for p, row in enumerate(session.rows, 1) if row.year and row.year < 1960)
    title = session.rows[position - 1].title
    parser.intents[f"is {title} black and white?"] = Intent(action="question", ask="fit", item=position,
                                                           genres=["Film-Noir"])
    turn = engine.message(session, f"is {title} black and white?")
    assert turn.reply.startswith(f"Probably: #{position} is **{title}**") and "no colour data" in turn.reply


@pytest.mark.parametrize("text, genres", [("a movie w/ dinosaurs", ["Adventure", "Sci-Fi"]), ("too kiddy", ["Children's"]),
                                          ("a tense submarine movie", ["Thriller", "War"])])
def test_everyday_words_for_genres(text, genres):
    from recommender.chat.parse import lexicon_for

    assert sorted(lexicon_for(CATALOG).names(text)) == sorted(genres)


def test_an_excluded_or_not_only_genre_is_no_longer_wished(engine, parser):
    """"funny movies for a date night", then "no romance though": the header said "Comedy & Romance · no Romance"."""
    session = engine.new_session()
    engine.message(session, "romantic comedies")
    assert set(session.dialogue.wished_genres) == {"Comedy", "Romance"}
    engine.message(session, "no romance")
    assert session.dialogue.wished_genres == ["Comedy"]
    assert engine.recommender.requests[-1].wished_genres == ("Comedy",)
    session = engine.new_session()
    engine.message(session, "romantic comedies")
    engine.message(session, "only comedy")
    assert session.dialogue.wished_genres == ["Comedy"]


def test_like_those_after_naming_films_means_those_films_and_more_like_these_means_more(engine):
    """"I loved Toy Story and Babe", then "anything like those but for adults" said "More like: Aladdin" (#1)."""
    session = engine.new_session()
    engine.message(session, "I loved Toy Story and Babe")
    turn = engine.message(session, "anything like those but for adults")
    toy, babe = index_of(CATALOG, "Toy Story"), index_of(CATALOG, "Babe")
    assert set(engine.recommender.requests[-1].references) == {toy, babe} and "More like" not in turn.reply
    shown = list(session.dialogue.last_shown)
    turn = engine.message(session, "more like these")
    assert "More like" not in turn.reply and not set(shown) & set(session.dialogue.last_shown)


def test_what_did_i_watch_last_shows_the_history_not_the_last_listed_film(engine, parser):
    """Known user 196: "what did i watch last?" (the model: a question about #10) answered "#10 is Clueless"."""
    engine.recommender.histories = {"55": [index_of(CATALOG, "Heat", 1995), index_of(CATALOG, "Fargo")]}
    session = engine.new_session("55")
    engine.open(session)
    engine.message(session, "horror")
    parser.intents["what did i watch last?"] = Intent(action="question", ask="about", item=5)
    turn = engine.message(session, "what did i watch last?")
    assert turn.reply.startswith("Your last films") and "Fargo" in turn.reply


def test_a_number_of_hours_points_at_no_listed_item(engine, parser):
    """"longer than 2 hours would be great" (the model: like #2) said "you want something like: <#2>"."""
    session = engine.new_session()
    engine.message(session, "horror")
    parser.intents["longer than 2 hours would be great"] = Intent(action="request", like_items=[2],
                                                                 rest=["longer than 2 hours"])
    turn = engine.message(session, "longer than 2 hours would be great")
    assert "something like" not in turn.reply and not engine.recommender.requests[-1].references


def test_like_what_i_usually_watch_is_the_history_or_says_there_is_none(engine, parser):
    """"something like what i usually watch but newer" said "I can't match “what i usually watch”"."""
    message = "something like what i usually watch but newer"
    parser.intents[message] = Intent(action="request", years="1990-", rest=["what i usually watch"])
    engine.recommender.histories = {"55": [index_of(CATALOG, "Heat", 1995), index_of(CATALOG, "Fargo")]}
    session = engine.new_session("55")
    engine.open(session)
    turn = engine.message(session, message)
    assert "can't match" not in turn.reply and "I don't know what you usually watch" not in turn.reply
    turn = engine.message(engine.new_session(), message)
    assert "can't match" not in turn.reply and "I don't know what you usually watch yet" in turn.reply


@pytest.mark.parametrize("text", ["nothing like titanic please, i want action", "something unlike Titanic"])
def test_nothing_like_a_title_is_no_reference_to_it(text):
    """"nothing like titanic please, i want action" noted "you want something like: Titanic"."""
    from recommender.chat.state import DialogueState
    from recommender.data.types import Catalog, Item

    catalog = Catalog(list(CATALOG) + [Item("99", "Titanic", 1997, ("Drama", "Romance"))])
    update = _rules_router(catalog).understand(text, DialogueState()).update
    titanic = len(CATALOG)
    assert titanic not in update.references + update.liked and titanic in update.excluded
    assert "Noted, not for you: Titanic (1997)." in update.notes


def test_in_that_style_after_a_title_asks_for_films_like_it():
    from recommender.chat.state import DialogueState

    update = _rules_router().understand("i've seen fargo a million times, need something new in that style",
                                        DialogueState()).update
    assert update.references == [index_of(CATALOG, "Fargo")] and index_of(CATALOG, "Fargo") in update.seen


@pytest.mark.parametrize("text, excluded, wished", [("thrillers from the 70s w/o any horror", ["Horror"], []),
                                                    ("swap the horror ones for comedies", ["Horror"], ["Comedy"])])
def test_without_written_short_and_swapping_a_genre_exclude_it(text, excluded, wished):
    from recommender.chat.state import DialogueState

    state = DialogueState(last_shown=[4, 6, 14], shown=[4, 6, 14], turn=1)
    update = _rules_router().understand(text, state).update
    assert update.exclude_genres == excluded and all(g in update.query_hints + update.wished_genres for g in wished)


def test_any_of_these_good_for_a_child_asks_about_the_list(engine, parser):
    """"any of these good for a 6 year old?" (the model: a new request) replaced the list."""
    session = engine.new_session()
    engine.message(session, "comedies")
    shown = list(session.dialogue.last_shown)
    parser.intents["any of these good for a 6 year old?"] = Intent(action="request", genres=["Children's"],
                                                                  rest=["good for a 6 year old"])
    turn = engine.message(session, "any of these good for a 6 year old?")
    assert session.dialogue.last_shown == shown and "Children's" in turn.reply
    assert "Toy Story" in turn.reply  # the one listed Children's film is named


def test_no_thanks_is_small_talk_and_a_negated_title_span_still_links(engine, parser):
    """"no thanks" was answered "I can only help you choose movies"; the model's span "not star wars" replied
    "I don't know the movie “not star wars”"."""
    assert engine.message(engine.new_session(), "no thanks").reply.startswith("No problem.")
    session = engine.new_session()
    engine.message(session, "sci-fi")
    parser.intents["not star wars though, seen it too many times"] = Intent(action="feedback",
                                                                            seen=["not star wars"])
    turn = engine.message(session, "not star wars though, seen it too many times")
    assert "I don't know the movie" not in turn.reply and index_of(CATALOG, "Star Wars") in session.dialogue.seen


def test_texting_shorthand_for_something_is_filler():
    """"smth older" after horror said "I can't match “smth”"."""
    from recommender.chat.state import DialogueState

    state = DialogueState(last_shown=[4, 7, 8], shown=[4, 7, 8], turn=1)
    update = _rules_router().understand("smth older", state).update
    assert not update.query and not update.missing and update.max_year is not None


def test_a_film_turned_down_because_it_was_seen_is_noted_once():
    """"not the shining, seen it" said both "Noted, you've seen: …" and "Noted, not for you: …"."""
    from recommender.chat.state import DialogueState

    shown = [index_of(CATALOG, t) for t in ("Shining, The", "Scream", "Alien")]
    update = _rules_router().understand("not the shining, seen it", DialogueState(last_shown=shown, shown=list(shown), turn=1)).update
    assert "Noted, you've seen: Shining, The (1980)." in update.notes
    assert not any(n.startswith("Noted, not for you") for n in update.notes)


def test_preferably_one_with_adds_to_the_request_and_thats_still_is_filler(engine, parser):
    """"I'd like a musical", then "preferably one with a love story" replaced Musical with Romance; "that's
    still too violent" said "I can't match “that's still”"."""
    session = engine.new_session()
    engine.message(session, "comedies")
    parser.intents["preferably one with a love story"] = Intent(action="request", genres=["Romance"])
    engine.message(session, "preferably one with a love story")
    assert set(session.dialogue.wished_genres) == {"Comedy", "Romance"}
    turn = engine.message(session, "that's still too violent")
    assert "can't match" not in turn.reply


def test_a_title_after_arent_or_except_is_left_out(engine, parser):
    """"movies set in space that aren't star wars" said "Noted, you liked: Star Wars" (the model's reading)
    and listed Return of the Jedi; when the model dropped the title, Star Wars was listed at #6."""
    star_wars = index_of(CATALOG, "Star Wars")
    for intent in (Intent(action="request", genres=["Sci-Fi"], liked=["star wars"]),
                   Intent(action="request", genres=["Sci-Fi"])):
        parser.intents["movies set in space that aren't star wars"] = intent
        session = engine.new_session()
        turn = engine.message(session, "movies set in space that aren't star wars")
        assert "Noted, not for you: Star Wars (1977)." in turn.reply and "you liked" not in turn.reply
        assert star_wars not in [row.index for row in session.rows] and star_wars in session.dialogue.excluded
    from recommender.chat.state import DialogueState

    update = _rules_router().understand("a comedy other than Clueless", DialogueState()).update
    assert update.excluded == [index_of(CATALOG, "Clueless")] and not update.liked


def test_are_any_of_these_asks_about_the_whole_list(engine, parser):
    """"are any of these animated?" was answered "No: #10 is Contact (1997), Drama, Sci-Fi."."""
    session = engine.new_session()
    engine.message(session, "thriller")
    shown = [row.index for row in session.rows]
    parser.intents["are any of these animated?"] = Intent(action="question", ask="fit", item=len(shown),
                                                          genres=["Animation"])
    turn = engine.message(session, "are any of these animated?")
    assert turn.reply.startswith("None of these is an Animation film")
    assert [row.index for row in session.rows] == shown
    # tried as a known user: "any comedies among them?" was answered about #1 alone
    for text in ("any comedies among them?", "any horror on this list?"):
        parser.intents[text] = Intent(action="question", ask="fit", item=1, genres=["Comedy" if "com" in text else "Horror"])
        reply = engine.message(session, text).reply
        assert reply.startswith(("None of these is", "All ")) or "; the others are not." in reply, reply
    assert [row.index for row in session.rows] == shown


def test_a_comparative_after_except_is_a_wish_not_an_exclusion():
    """"like Alien except funnier" said "No Comedy from now on." (the negation before "funnier")."""
    from recommender.chat.state import DialogueState

    update = _rules_router().understand("like Alien except funnier", DialogueState()).update
    assert "Comedy" not in update.exclude_genres and update.references == [index_of(CATALOG, "Alien")]
    assert _rules_router().understand("no funny stuff", DialogueState()).update.exclude_genres == ["Comedy"]


def test_who_the_film_is_for_and_being_bored_are_no_missing_data(engine, parser):
    """"pick me something my grandma would enjoy" said "I can't match “my grandma would enjoy”"; "i'm bored,
    something short and funny" said "I can't match “bored”"."""
    parser.intents["pick me something my grandma would enjoy"] = Intent(action="request")
    turn = engine.message(engine.new_session(), "pick me something my grandma would enjoy")
    assert "can't match" not in turn.reply and turn.rows
    parser.intents["i'm bored, something funny"] = Intent(action="request", genres=["Comedy"], rest=["bored"])
    turn = engine.message(engine.new_session(), "i'm bored, something funny")
    assert "can't match" not in turn.reply and turn.rows


def test_hidden_gems_leave_out_the_most_watched_films_until_popular_ones_are_asked_for(engine, parser):
    """"something less mainstream" said "I can't match “less mainstream”" and listed Star Wars and Fargo; the
    catalogue knows how many people watched each film."""
    from chat_fakes import MOST_WATCHED

    parser.intents["something less mainstream"] = Intent(action="request", rest=["less mainstream"])
    session = engine.new_session()
    turn = engine.message(session, "something less mainstream")
    assert "Lesser-known films from now on" in turn.reply and "can't match" not in turn.reply
    assert engine.recommender.requests[-1].constraints.less_known and turn.rows
    assert all(row.index >= MOST_WATCHED for row in session.rows)
    turn = engine.message(session, "comedy")
    assert engine.recommender.requests[-1].constraints.less_known and "lesser-known" in turn.reply
    parser.intents["ok, popular stuff is fine again"] = Intent(action="request", rest=["popular stuff"])
    turn = engine.message(session, "ok, popular stuff is fine again")
    assert "Well-known films are back in." in turn.reply and not engine.recommender.requests[-1].constraints.less_known
    from recommender.chat.state import DialogueState

    update = _rules_router().understand("any hidden gems?", DialogueState()).update
    assert update.less_known and not update.query and update.new_request


def test_surprise_me_asks_for_well_rated_lesser_known_films(engine, parser):
    """Tried as a new user: "surprise me" listed the ten most-watched films (Star Wars, Contact, Fargo …)."""
    from chat_fakes import MOST_WATCHED

    session = engine.new_session()
    turn = engine.message(session, "surprise me")
    assert turn.reply.startswith("A surprise: well-rated films that fewer people here have seen"), turn.reply
    constraints = engine.recommender.requests[-1].constraints
    assert constraints.less_known and constraints.acclaimed
    assert turn.rows and all(row.index >= MOST_WATCHED for row in session.rows)
    parser.intents["something popular"] = Intent(action="request")
    turn = engine.message(session, "something popular")
    assert "Well-known films are back in." in turn.reply and not engine.recommender.requests[-1].constraints.less_known


def test_what_else_is_like_it_says_more_like_and_not_that_the_person_liked_it(engine, parser):
    """Tried as a new user: "tell me about #2", then "ok what else is like it?" (the model: more) said "Noted, you
    liked: Monty Python and the Holy Grail", which the person never said."""
    session = engine.new_session()
    engine.message(session, "comedy")
    second = session.rows[1]
    parser.intents["tell me about #2"] = Intent(action="question", ask="about", item=2)
    engine.message(session, "tell me about #2")
    parser.intents["ok what else is like it?"] = Intent(action="more")
    turn = engine.message(session, "ok what else is like it?")
    assert turn.reply.startswith(f"More like: {second.title} ({second.year})."), turn.reply
    assert "Noted" not in turn.reply and turn.list_changed


def test_add_it_to_my_list_says_there_is_no_watchlist_and_keeps_the_list(engine, parser):
    """Tried as a new user, after 1950s musicals: "the second one sounds great, add it to my list" liked Cinderella
    and replaced the list (with no musicals left, by dramas)."""
    session = engine.new_session()
    engine.message(session, "comedy")
    rows, requests = session.rows, len(engine.recommender.requests)
    for text, row in (("the second one sounds great, add it to my list", rows[1]), ("save #3 for later", rows[2]),
                      ("add #1 to my watchlist please", rows[0])):
        parser.intents[text] = Intent(action="feedback", liked=[2])
        turn = engine.message(session, text)
        assert turn.reply.startswith(f"I keep no watchlist, so note it down: **{row.title} ({row.year})**."), turn.reply
        assert turn.reply.count("The list stays as it is.") == 1 and not turn.list_changed
    assert session.rows == rows and len(engine.recommender.requests) == requests and not session.dialogue.liked
    parser.intents["add some action"] = Intent(action="request", genres=["Action"])
    assert engine.message(session, "add some action").list_changed


def test_undo_takes_back_the_last_click_and_brings_its_list_back(engine, parser):
    """Tried as a new user: after a wrong *Seen* click, "oops, I didn't mean that" said "I don't know the movie
    “oops”" and "undo" said "I can't bring back an earlier list"; the film stayed marked and off the list."""
    from recommender.chat.undo import NOTHING

    session = engine.new_session()
    engine.message(session, "comedy")
    titles = [row.title for row in session.rows]
    second = session.rows[1]
    engine.feedback(session, 2, "seen")
    assert second.title not in [row.title for row in session.rows]
    assert session.undo is not None and session.undo.undo is None  # one step kept, not a chain of copies
    turn = engine.message(session, "oops, I didn't mean that")
    assert turn.reply.startswith(f"Undone: **{second.title} ({second.year})** is no longer marked as seen.\n\nHere are")
    assert [row.title for row in turn.rows] == titles and turn.list_changed and not session.dialogue.seen
    assert engine.message(session, "undo").reply == NOTHING  # once only
    engine.feedback(session, 1, "disliked")
    parser.intents["why #2?"] = Intent(action="question", ask="why", item=2)
    engine.message(session, "why #2?")  # a question keeps the chance to undo
    assert engine.message(session, "wrong button").reply.startswith("Undone: **")
    assert not session.dialogue.disliked and [row.title for row in session.rows] == titles
    engine.feedback(session, 3, "liked")
    parser.intents["a drama"] = Intent(action="request", genres=["Drama"])
    engine.message(session, "a drama")  # a new list of another request ends it
    assert engine.message(session, "undo").reply == NOTHING and session.dialogue.liked


def test_a_listed_film_the_message_does_not_name_or_point_at_is_not_liked(engine, parser):
    """Tried as a new user, after films of 1994: "only the ones with good reviews" (the model: liked #10) said
    "Noted, you liked: Quiz Show (1994)"."""
    session = engine.new_session()
    engine.message(session, "comedy")
    tenth = session.rows[-1]
    parser.intents["only the ones with good reviews"] = Intent(action="request", liked_items=[len(session.rows)])
    turn = engine.message(session, "only the ones with good reviews")
    assert "Noted, you liked" not in turn.reply and tenth.index not in session.dialogue.liked, turn.reply
    parser.intents["#2 looks great"] = Intent(action="feedback", liked_items=[2])
    second = session.rows[1]
    assert "Noted, you liked" in engine.message(session, "#2 looks great").reply
    assert second.index in session.dialogue.liked
    parser.intents["these sound great"] = Intent(action="feedback", liked_items=[1])
    first = session.rows[0]
    engine.message(session, "these sound great")  # points at the list: the model's reading stands
    assert first.index in session.dialogue.liked


def test_which_of_these_have_i_not_seen_says_none_is_seen_as_far_as_the_chat_knows(parser):
    """Tried as a new user: "which of these have I not seen?" was answered "I can't tell that from titles, years and
    genres alone"; the list never holds a film the chat knows the person has seen."""
    engine = ChatEngine(FakeRecommender(CATALOG, {"7": [2, 14]}), k=5, intent_parser=parser)
    for user, rated in ((None, ""), ("7", "the 2 films you rated here and ")):
        session = engine.new_session(user)
        engine.message(session, "comedy")
        rows, requests = session.rows, len(engine.recommender.requests)
        parser.intents["which of these have I not seen?"] = Intent(action="question", ask="about", item=1)
        for text in ("which of these have I not seen?", "have I seen any of these?"):
            turn = engine.message(session, text)
            assert turn.reply == (f"As far as I know, you haven't seen any of these: I leave out {rated}every film you "
                                  "mark as seen (the *Seen* button, or *I've seen #2*)."), turn.reply
        assert session.rows == rows and len(engine.recommender.requests) == requests
        assert session.dialogue.referenced is None  # the answer points at no film


def test_the_x_one_points_at_the_listed_film_of_that_name(engine, parser):
    """"the alien one, is it gory?" was answered about #10 (the model's guess), not Alien on the list."""
    session = engine.new_session()
    engine.message(session, "sci-fi")
    position = next(p for p, row in enumerate(session.rows, 1) if row.title == "Alien")
    parser.intents["the alien one, is it gory?"] = Intent(action="question", ask="fit", item=len(session.rows),
                                                          genres=["Horror"])
    turn = engine.message(session, "the alien one, is it gory?")
    assert turn.reply.startswith(f"#{position} is **Alien** (1979)")
    from recommender.chat.phrases import find_named_on_list

    listed = ["alien", "aliens", "toy story", "fargo"]
    assert [r.position for r in find_named_on_list("seen the fargo one", listed)] == [4]
    assert [r.position for r in find_named_on_list("the toy one", listed)] == [3]
    assert find_named_on_list("the scary one", listed) == []  # no title starts with it


def test_onward_drop_anything_and_no_more_read_as_the_person_meant(engine, parser):
    """"sci fi that isn't too old, 90s onward" was 1990-1999; "drop anything animated" listed only animation;
    "ugh, no more kids movies" (the model: "more") excluded nothing."""
    from recommender.chat.state import DialogueState
    from recommender.chat.year_phrases import find_year_filters

    assert (find_year_filters("90s onward").min_year, find_year_filters("90s onward").max_year) == (1990, None)
    assert _rules_router().understand("drop anything animated", DialogueState()).update.exclude_genres == ["Animation"]
    session = engine.new_session()
    engine.message(session, "comedy")
    parser.intents["ugh, no more kids movies"] = Intent(action="more")
    turn = engine.message(session, "ugh, no more kids movies")
    assert "No Children's from now on." in turn.reply
    assert not any("Children's" in row.genres for row in session.rows)


def test_what_do_you_think_id_like_asks_for_picks(engine, parser):
    """Known user 42: "what do you think I'd like?" got "I can only help you choose movies" (the model: off topic)."""
    parser.intents["what do you think I'd like?"] = Intent(action="off_topic")
    turn = engine.message(engine.new_session(), "what do you think I'd like?")
    assert turn.rows and "only help you choose movies" not in turn.reply


def test_nothing_too_violent_is_read_and_not_called_unmatchable(engine, parser):
    """"nothing too violent though" after action said "I can't match “nothing too violent”" and, in the same
    reply, left out the violent genres."""
    session = engine.new_session()
    engine.message(session, "action")
    parser.intents["nothing too violent though"] = Intent(action="request", rest=["nothing too violent"])
    turn = engine.message(session, "nothing too violent though")
    assert "can't match" not in turn.reply and "Horror" in session.dialogue.constraints.exclude_genres


def test_a_person_is_not_also_an_unknown_title(engine, parser):
    """"i like tarantino films" said "I have no cast or crew data" and then "I don't know the movie “tarantino films”"."""
    parser.intents["i like tarantino films"] = Intent(action="request", liked=["tarantino films"])  # the model's reading
    turn = engine.message(engine.new_session(), "i like tarantino films")
    assert "no cast or crew data" in turn.reply and "I don't know the movie" not in turn.reply and turn.rows


def test_a_classic_everyone_should_see_asks_for_picks_and_unmatched_words_are_quoted_without_the_ask(engine, parser):
    """"a classic everyone should see at least once" said "I can't match “classic everyone should see at least
    once”"; "any good sports movies" quoted the whole message."""
    parser.intents["a classic everyone should see at least once"] = Intent(action="request",
                                                                           rest=["classic everyone should see at least once"])
    turn = engine.message(engine.new_session(), "a classic everyone should see at least once")
    assert "can't match" not in turn.reply and turn.rows
    assert engine.recommender.requests[-1].constraints.acclaimed  # it listed Liar Liar and Air Force One
    parser.intents["any good sports movies"] = Intent(action="request")
    turn = engine.message(engine.new_session(), "any good sports movies")
    assert "“sports movies”" in turn.reply


@pytest.mark.parametrize("text,genre", [("a screwball from the 40s", "Comedy"), ("a spoof", "Comedy"),
                                        ("something haunted", "Horror"), ("a caper", "Crime"),
                                        ("cyberpunk stuff", "Sci-Fi"), ("a military drama", "War"),
                                        ("claymation", "Animation"), ("a love triangle", "Romance"),
                                        ("a real tragedy", "Drama"), ("a conspiracy flick", "Thriller")])
def test_more_everyday_genre_words_are_read(text, genre):
    """Tried as a new user, "a screwball comedy", "a heist caper", "cyberpunk stuff" and the like were left to
    the model's guess; each names one genre of the catalogue nearly every time it is used."""
    from recommender.chat.parse import lexicon_for

    assert genre in lexicon_for(CATALOG).names(text)


def test_based_on_what_ive_rated_highly_is_like_my_favourites(engine, parser):
    """Known user 250: "recommend something based on what i've rated highly" said "I don't know the movie “what
    i've rated highly”" (the model's title)."""
    text = "recommend something based on what i've rated highly"
    parser.intents[text] = Intent(action="request", like=["what i've rated highly"])
    engine.recommender.histories = {"13": [index_of(CATALOG, t) for t in ("Clueless", "Groundhog Day", "Big")]}
    session = engine.new_session("13")
    turn = engine.message(session, text)
    assert "I don't know the movie" not in turn.reply and turn.rows
    assert list(engine.recommender.requests[-1].references) == [index_of(CATALOG, t) for t in ("Big", "Groundhog Day", "Clueless")]


def test_which_is_funniest_of_a_list_of_comedies_has_no_others(engine, parser):
    """"which of these is funniest" after ten comedies listed all ten "… are Comedy; the others are not"."""
    from recommender.chat.list_answers import answer_which
    from recommender.chat.state import Question

    comedies = [i for i, item in enumerate(CATALOG) if "Comedy" in item.genres][:4]
    answer = answer_which(Question("which", comedies[0], 0, ["Comedy"]), comedies, CATALOG)
    assert answer.startswith("All 4 are Comedy") and "the others are not" not in answer
    parser.intents["what's a good movie for a rainy day"] = Intent(action="request")
    turn = engine.message(engine.new_session(), "what's a good movie for a rainy day")
    assert "“for a rainy day”" in turn.reply and turn.rows  # not the whole message quoted back


def test_dev20_readings_a_person_would_expect(engine, parser):
    """From dev set 20, each wrong before: "on the edge of my seat" liked The Edge; "recommend similar" and "a
    western like unforgiven" liked the film instead of asking for films like it; "does that exist" wished for
    documentaries ("doc" + "es" made "doces", one letter from "does"); "why is fargo on the list" explained the
    whole list."""
    from recommender.chat.parse import lexicon_for
    from recommender.chat.phrases import _plurals
    from recommender.chat.state import DialogueState
    from recommender.data.types import Catalog, Item
    from recommender.titles import TitleIndex

    edge = TitleIndex(Catalog([Item("1", "Edge, The", 1997, ("Thriller",))]))
    assert edge.find_mentions("a thriller that'll keep me on the edge of my seat") == []
    assert [m.item for m in edge.find_mentions("I loved The Edge")] == [0]
    films = Catalog([Item("1", "Godfather, The", 1972, ("Crime", "Drama")), Item("2", "Unforgiven", 1992, ("Western",)),
                     Item("3", "Heat", 1995, ("Action", "Crime"))])
    router = _rules_router(films)
    for text, item in (("the godfather is my all time fave, recommend similar", 0), ("a western like unforgiven", 1)):
        assert router.understand(text, DialogueState()).update.references == [item], text
    assert "Western" in router.understand("a western like unforgiven", DialogueState()).update.wished_genres
    assert lexicon_for(CATALOG).names("feel good film noir? does that exist") == ["Comedy", "Film-Noir"]
    assert _plurals("doc") == ["doc", "docs"] and _plurals("comedy") == ["comedy", "comedies"]
    assert _plurals("cowboy") == ["cowboy", "cowboys"] and _plurals("hero") == ["hero", "heros", "heroes"]
    session = engine.new_session()
    engine.message(session, "crime")
    position = next(p for p, row in enumerate(session.rows, 1) if row.title == "Fargo")
    parser.intents["why is fargo on the list"] = Intent(action="question", ask="why", item=len(session.rows))
    turn = engine.message(session, "why is fargo on the list")
    assert turn.reply.startswith(f"#{position} is **Fargo**")


def test_a_halloween_film_for_children_that_is_not_too_scary_wishes_no_horror(engine, parser):
    """"something for halloween night but not too scary, kids will watch" wished Horror and Children's and listed
    Scream and The Shining first."""
    text = "something for halloween night but not too scary, kids will watch"
    parser.intents[text] = Intent(action="request", genres=["Horror", "Children's"])
    session = engine.new_session()
    turn = engine.message(session, text)
    assert session.dialogue.wished_genres == ["Children's"] and "can't tell how scary" in turn.reply
    assert not any("Horror" in row.genres and "Children's" not in row.genres for row in session.rows)
    session = engine.new_session()
    engine.message(session, "a scary movie")
    assert session.dialogue.wished_genres == ["Horror"]  # without children, scary stays a wish


def test_the_unmatched_words_are_quoted_without_something_in_front(engine, parser):
    """"something short and sweet for a lazy sunday" said "I can't match “something short and sweet for a lazy
    sunday”"."""
    text = "something short and sweet for a lazy sunday"
    parser.intents[text] = Intent(action="request")
    turn = engine.message(engine.new_session(), text)
    assert "“short and sweet for a lazy sunday”" in turn.reply


def test_dev21_readings_a_person_would_expect(engine, parser):
    """From dev set 21, each wrong before: "not in the mood for anything heavy" liked the film Heavy; "seen
    groundhog day like 20 times" liked it, asked for films like it and said "I don't know the movie “groundhog day
    like 20 times”"; "too much 90s stuff, go older" asked for the 90s; "spooky stuff for a sleepover" and "loved the
    lion king as a kid" wished for children's films; "a chick flick" listed Star Wars (Romance alone); "heat rocks,
    more of that" liked Heat and asked for nothing."""
    from recommender.chat.parse import lexicon_for
    from recommender.chat.state import DialogueState
    from recommender.data.types import Catalog, Item
    from recommender.titles import TitleIndex

    heavy = TitleIndex(Catalog([Item("1", "Heavy", 1995, ("Drama",))]))
    assert heavy.find_mentions("not in the mood for anything heavy, light comedy maybe") == []
    assert heavy.find_mentions("i want something heavy") == []
    assert [m.item for m in heavy.find_mentions("I loved Heavy")] == [0]
    sleepover = TitleIndex(Catalog([Item("1", "Sleepover", 1995, ("Comedy",))]))  # no longer a genre word
    assert sleepover.find_mentions("a 10 year old's birthday sleepover, what should we put on") == []
    router = _rules_router()
    update = router.understand("seen groundhog day like 20 times", DialogueState()).update
    assert update.seen == [index_of(CATALOG, "Groundhog Day")] and update.liked == update.references == []
    update = router.understand("too much 90s stuff, go older", DialogueState()).update
    assert (update.min_year, update.max_year) == (None, 1989)
    lexicon = lexicon_for(CATALOG)
    assert lexicon.names("spooky stuff for a sleepover") == ["Horror"]
    assert lexicon.names("i loved the lion king as a kid") == [] and lexicon.names("films for my kids") == ["Children's"]
    assert set(lexicon.names("a chick flick")) == {"Romance", "Comedy"}
    text = "seen groundhog day like 20 times"
    parser.intents[text] = Intent(action="feedback", seen=["groundhog day like 20 times"])
    session = engine.new_session()
    engine.message(session, "comedy")
    turn = engine.message(session, text)
    assert "don't know the movie" not in turn.reply and set(session.dialogue.seen) == {index_of(CATALOG, "Groundhog Day")}
    assert router.understand("fargo rocks, more of that", DialogueState()).update.references == [index_of(CATALOG, "Fargo")]
    assert router.understand("more of that please", DialogueState()).update.more  # nothing named: more results


def test_new_user_trials_of_the_tenth_session(engine, parser):
    """Tried as a new user with the real model: "best picture winners" listed popular films without a word (the
    model read "best" as a person) and "oscar winning dramas" said it could not match “oscar winning”; "date night,
    she likes romance and i like action" said "I don't know the movie “i”"; "something relaxing to fall asleep to"
    liked the film Fall; "what would I like?" got "I can only help you choose movies"."""
    from recommender.chat.state import DialogueState
    from recommender.data.types import Catalog, Item
    from recommender.titles import TitleIndex

    parser.intents["best picture winners"] = Intent(action="request", people=["best"])
    turn = engine.message(engine.new_session(), "best picture winners")
    assert "I have no awards data, so I can't check for “best picture winners”" in turn.reply and turn.rows
    parser.intents["oscar winning comedies"] = Intent(action="request", genres=["Comedy"], rest=["oscar winning"])
    session = engine.new_session()
    turn = engine.message(session, "oscar winning comedies")
    assert "no awards data" in turn.reply and "no descriptions" not in turn.reply
    assert session.dialogue.wished_genres == ["Comedy"]
    update = _rules_router().understand("an oscar winning comedy", DialogueState()).update  # the rules alone
    assert update.missing == [("awards", "oscar winning")] and "oscar" not in update.query
    # tried as a new user: "a film that won best picture" said so, then "I can't match “film that won best picture”"
    parser.intents["a film that won best picture"] = Intent(action="request", rest=["film that won best picture"])
    turn = engine.message(engine.new_session(), "a film that won best picture")
    assert "I have no awards data, so I can't check for “won best picture”" in turn.reply
    assert "can't match" not in turn.reply, turn.reply
    text = "date night, she likes romance and i like action"
    parser.intents[text] = Intent(action="request", liked=["romance", "i"], genres=["Romance", "Action"])
    turn = engine.message(engine.new_session(), text)
    assert "don't know the movie" not in turn.reply and turn.rows
    fall = TitleIndex(Catalog([Item("1", "Fall", 1997, ("Romance",))]))
    assert fall.find_mentions("something relaxing to fall asleep to") == []
    parser.intents["what would I like?"] = Intent(action="off_topic")
    turn = engine.message(engine.new_session(), "what would I like?")
    assert "only help you choose" not in turn.reply and turn.rows


def test_dev22_readings_a_person_would_expect(engine, parser):
    """From dev set 22, each wrong before: "cut the dramas" started over and wished for dramas (the model read a
    reset); "none of these are scary enough" excluded Horror; "schindler's list is too heavy for tonight" liked
    it; "#6 is a chick flick, no thanks" wished for romantic comedies and pointed at #6; "something romantic set in
    paris" said the films had no descriptions, not that it has no plot summaries."""
    from recommender.chat.state import DialogueState

    parser.intents["cut the dramas"] = Intent(action="reset")
    session = engine.new_session()
    engine.message(session, "crime")
    engine.message(session, "cut the dramas")
    assert set(session.dialogue.constraints.exclude_genres) == {"Drama"} and session.dialogue.wished_genres == ["Crime"]
    parser.intents["none of these are scary enough"] = Intent(action="request", exclude_genres=["Horror"])
    engine.message(session, "none of these are scary enough")
    assert "Horror" in session.dialogue.wished_genres and "Horror" not in session.dialogue.constraints.exclude_genres
    router = _rules_router()
    listed = DialogueState(last_shown=list(range(10)), shown=list(range(10)), turn=1)
    update = router.understand("fargo is too heavy for tonight", listed).update
    assert update.disliked == [index_of(CATALOG, "Fargo")] and not update.liked
    update = router.understand("#6 is a chick flick, no thanks", listed).update
    assert update.excluded == [listed.last_shown[5]] and not update.wished_genres
    assert router.understand("#6 is a chick flick", listed).update.excluded == []
    text = "something romantic set in paris"
    parser.intents[text] = Intent(action="request", genres=["Romance"], rest=["paris"])
    assert "I have no plot summaries, so I can't check for “paris”" in engine.message(engine.new_session(), text).reply


def test_follow_ups_a_new_user_typed_in_the_tenth_session(engine, parser):
    """With the real model: "not that silly though" after "i'm sad, cheer me up" excluded comedies and listed
    Dead Man Walking; "too gory, something more psychological" after horror said "the list stays Horror" and listed
    thrillers only; "hmm, seen most of those" marked #10 seen and showed the same list again."""
    parser.intents.update({
        "i'm sad, cheer me up": Intent(action="request", genres=["Drama", "Comedy"]),
        "not that silly though": Intent(action="request", exclude_genres=["Comedy"]),
        "too gory, something more psychological": Intent(action="request", genres=["Thriller"], exclude_genres=["Horror"]),
        "hmm, seen most of those": Intent(action="feedback", seen_items=[5]),
    })
    session = engine.new_session()
    engine.message(session, "i'm sad, cheer me up")
    turn = engine.message(session, "not that silly though")
    assert "Comedy" in session.dialogue.wished_genres and not session.dialogue.constraints.exclude_genres
    assert "I can't tell how silly a film is from its genres" in turn.reply
    session = engine.new_session()
    engine.message(session, "scary movies")
    turn = engine.message(session, "too gory, something more psychological")
    assert "the list stays Horror" in turn.reply and session.dialogue.wished_genres == ["Horror", "Thriller"]
    session = engine.new_session()
    engine.message(session, "comedy")
    before = [row.index for row in session.rows]
    engine.message(session, "hmm, seen most of those")
    assert not session.dialogue.seen and not set(before) & {row.index for row in session.rows}
    parser.intents["bleh, seen most of those"] = Intent(action="feedback", seen_items=[1, 2, 3, 4, 5])
    engine.message(session, "bleh, seen most of those")  # read by the model ("bleh" is no rule word)
    assert session.understood.parser == "llm" and not session.dialogue.seen and session.understood.update.more


def test_something_nobody_has_heard_of_asks_for_lesser_known_films_and_dislikes_no_nobody_title():
    """"give me something nobody has heard of" replied "Noted, you didn't like: Nobody Loves Me" (the model wrote
    disliked ["nobody"], linked by prefix) and listed Star Wars and Fargo."""
    from recommender.data.types import Catalog, Item

    catalog = Catalog(list(CATALOG) + [Item("900", "Nobody Loves Me (Keiner liebt mich)", 1994, ("Comedy", "Drama"))])
    message = "give me something nobody has heard of"
    parser = FakeIntentParser({message: Intent(action="request", disliked=["nobody"])})
    engine = ChatEngine(FakeRecommender(catalog, {}), k=5, intent_parser=parser)
    session = engine.new_session()
    turn = engine.message(session, message)
    assert "Lesser-known films from now on" in turn.reply and "Nobody" not in turn.reply
    assert not session.dialogue.disliked and engine.recommender.requests[-1].constraints.less_known
    from recommender.chat.state import DialogueState

    for text in (message, "a film hardly anyone has seen", "something no one's ever heard of"):
        assert _rules_router(catalog).understand(text, DialogueState()).update.less_known, text
    liked = FakeIntentParser({"I loved Nobody Loves Me": Intent(action="request", liked=["Nobody Loves Me"])})
    engine = ChatEngine(FakeRecommender(catalog, {}), k=5, intent_parser=liked)
    session = engine.new_session()
    engine.message(session, "I loved Nobody Loves Me")  # a real title made of everyday words still links
    assert session.dialogue.liked == [len(CATALOG)]


def test_which_is_rated_best_is_answered_from_the_ratings_of_the_listed_films(engine, parser):
    """Tried as a new user: "a thriller", then "which of these has the best ratings?" said "I can't rank them by
    that from titles, years and genres alone", though "is #4 any good?" is answered from the ratings here; the
    best film was said to be rated "above 100% of the films here"."""
    from types import SimpleNamespace

    from recommender.retrieval.ratings import Standing

    session = engine.new_session()
    engine.message(session, "comedy")
    rows = session.rows
    standings = {row.index: Standing(3.0 + p / 10, 50 if p != 4 else 5, p / 10) for p, row in enumerate(rows)}
    engine.recommender.facts = SimpleNamespace(standing=standings.get)
    best = max((p for p in range(len(rows)) if p != 4), key=lambda p: p)  # #5 has too few ratings to judge
    for text in ("which of these has the best ratings?", "which one is the best?"):
        parser.intents[text] = Intent(action="question", ask="about", item=1)
        turn = engine.message(session, text)
        assert turn.reply.startswith(f"By the ratings here, #{best + 1} **{rows[best].title}** is the best rated "
                                     "of these."), text
        assert "above 99% of the films here" in turn.reply or best / 10 < 0.995
    genre = next(g for row in rows for g in row.genres if g != "Comedy")
    text = f"which is the highest rated {genre.lower()}?"
    parser.intents[text] = Intent(action="question", ask="fit", item=1, genres=[genre])
    turn = engine.message(session, text)
    among = [p for p, row in enumerate(rows) if genre in row.genres and p != 4]
    assert turn.reply.startswith(f"By the ratings here, #{max(among) + 1} **") and f"of the {genre} ones" in turn.reply
    from recommender.chat.answers import rating_sentence

    assert "above 99% of the films here" in rating_sentence(Standing(4.4, 267, 0.998))
    del engine.recommender.facts


def test_is_it_good_is_answered_from_ratings_about_the_film_the_last_message_pointed_at(engine, parser):
    """"a thriller", "tell me more about #3", "is it good?" was answered about #10 (the model's pick) with "I can't
    tell that from titles, years and genres alone", though the catalogue's ratings say how people rated it."""
    from types import SimpleNamespace

    from recommender.retrieval.ratings import Standing

    asked = []
    engine.recommender.facts = SimpleNamespace(standing=lambda i: asked.append(i) or Standing(4.1, 316, 0.97))
    session = engine.new_session()
    engine.message(session, "comedy")
    third = session.rows[2]
    parser.intents["tell me more about #3"] = Intent(action="question", ask="about", item=3)
    parser.intents["is it good?"] = Intent(action="question", ask="fit", item=5, genres=["Drama"])
    engine.message(session, "tell me more about #3")
    turn = engine.message(session, "is it good?")
    assert turn.reply.startswith(f"#3 is **{third.title}**") and asked == [third.index, third.index]
    assert "People here rate it 4.1/5 on average (316 ratings), above 97% of the films here." in turn.reply
    assert "Drama" not in turn.reply and [r.title for r in session.rows][2] == third.title  # the list stays
    second = session.rows[1]
    engine.message(session, "#2 looks fun")  # liked, so off the list: asked about by its title
    parser.intents["is it any good?"] = Intent(action="question", ask="about", item=5)
    turn = engine.message(session, "is it any good?")
    assert turn.reply.startswith(f"**{second.title}**") and asked[-1] == second.index
    parser.intents["is #4 a good comedy?"] = Intent(action="question", ask="fit", item=4, genres=["Comedy"])
    turn = engine.message(session, "is #4 a good comedy?")  # a position said: no "it" to resolve
    assert turn.reply.startswith("Yes: #4 is") and asked[-1] == session.rows[3].index and "4.1/5" in turn.reply
    parser.calls.clear()
    turn = engine.message(session, "the second one")  # the model read "more": the list changed without a word
    assert turn.reply.startswith(f"#2 is **{session.rows[1].title}**") and "4.1/5" in turn.reply
    assert "I have no plot summaries." in turn.reply and not turn.list_changed and not parser.calls
    for bare in ("#3", "what about the last one?", "the 4th please"):
        assert engine.message(session, bare).reply.startswith("#"), bare
    assert "Noted, you liked" in engine.message(session, "I liked the second one").reply
    del engine.recommender.facts
    parser.intents["is #1 worth watching?"] = Intent(action="question", ask="about", item=1)
    assert "I have no ratings for it" in engine.message(session, "is #1 worth watching?").reply


def test_a_films_standing_is_its_mean_count_and_the_share_of_rated_films_below_it():
    import numpy as np

    from recommender.chat.answers import rating_sentence
    from recommender.retrieval.ratings import ItemRatings, Standing

    ratings = ItemRatings.fit(np.array([0, 0, 1, 1, 2]), np.array([5.0, 4.0, 2.0, 1.0, 5.0]), 4, prior=3.0)
    assert ratings.standing(3) is None  # nobody rated it
    mean, count, above = ratings.standing(0)
    assert (mean, count) == (4.5, 2) and above == 2 / 3  # above the one-vote 5/5 (shrunk) and the 1.5/5
    assert ratings.standing(1).rated_above == 0.0
    assert rating_sentence(Standing(3.0, 4, 0.2)) == "Only 4 people here rated it (3.0/5 on average), too few to say."
    assert rating_sentence(Standing(3.04, 254, 0.11)).endswith("(254 ratings), below 89% of the films here.")


def test_who_directed_a_listed_film_says_there_is_no_cast_or_crew_data(engine, parser):
    """"who directed #1?" was answered "#1 is … a Drama film. I only know titles, years and genres (no plot
    summaries)"."""
    session = engine.new_session()
    engine.message(session, "comedy")
    listed = session.rows[0].title
    parser.intents["who directed #1?"] = Intent(action="question", ask="about", item=1)
    parser.intents["is #2 any good?"] = Intent(action="question", ask="about", item=2)
    turn = engine.message(session, "who directed #1?")
    assert "no cast or crew data" in turn.reply and listed in turn.reply and "plot" not in turn.reply
    assert session.rows[0].title == listed  # the question left the list alone
    assert "no cast or crew data" not in engine.message(session, "is #2 any good?").reply
    # tried as a new user: "how long is #1?" was answered with its rating and "I have no plot summaries"
    for message, said in (("how long is #1?", "I have no running times, so I can't say how long it is."),
                          ("is #1 in english?", "I have no language or country data"),
                          ("did #1 win any oscars?", "I have no awards data, so I can't say what it won."),
                          ("is #1 a true story?", "I have no data on sources or true stories, so I can't say what it is based on.")):
        parser.intents[message] = Intent(action="question", ask="about", item=1)
        turn = engine.message(session, message)
        assert said in turn.reply and listed in turn.reply and "plot" not in turn.reply, message


def test_something_in_that_vein_after_two_liked_titles_asks_for_films_like_both():
    """"i adored babe and toy story, pick something in that vein" (dev23) wanted films like Toy Story alone and
    only liked Babe; a disliked title stays out of it."""
    from recommender.chat.state import DialogueState

    babe, toy_story, clueless = (index_of(CATALOG, t) for t in ("Babe", "Toy Story", "Clueless"))
    update = _rules_router().understand("i adored babe and toy story, pick something in that vein", DialogueState()).update
    assert update.references == [babe, toy_story]
    update = _rules_router().understand("hated clueless, loved babe, more like that", DialogueState()).update
    assert update.references == [babe] and update.disliked == [clueless]


def test_best_rated_asks_for_the_best_rated_films_for_this_request_only(engine, parser):
    """"what are the best rated films of 1997?" was answered "I have no descriptions of the films … so I can't match
    “what are the best rated films of 1997”" over 1997's most-watched films: the catalogue holds ratings."""
    message = "what are the best rated films of 1997?"
    parser.intents[message] = Intent(action="request", years="1997-1997", rest=["what are the best rated films of 1997"])
    session = engine.new_session()
    turn = engine.message(session, message)
    constraints = engine.recommender.requests[-1].constraints
    assert constraints.acclaimed and (constraints.min_year, constraints.max_year) == (1997, 1997)
    assert "can't match" not in turn.reply and "The best-rated films for this request" in turn.reply
    assert "best rated" in turn.reply and turn.rows
    engine.message(session, "what about from 1995")  # the same request, other years: still the best rated
    assert engine.recommender.requests[-1].constraints.acclaimed
    turn = engine.message(session, "something funny")  # a new request: any film again
    assert not engine.recommender.requests[-1].constraints.acclaimed and "best rated" not in turn.reply
    parser.intents["critically acclaimed dramas"] = Intent(action="request", genres=["Drama"],
                                                           liked=["critically acclaimed"])
    turn = engine.message(engine.new_session(), "critically acclaimed dramas")
    assert "I don't know the movie" not in turn.reply and engine.recommender.requests[-1].constraints.acclaimed
    slang = "whats the highest rated movie u have"  # said "I can't match “whats the highest rated movie u have”" too
    parser.intents[slang] = Intent(action="request", rest=[slang])
    turn = engine.message(engine.new_session(), slang)
    assert "can't match" not in turn.reply and engine.recommender.requests[-1].constraints.acclaimed
    from recommender.chat.state import DialogueState

    for text in ("top rated westerns", "the greatest movies of all time", "any highly rated horror?",
                 "something with great reviews", "best sci-fi movies", "top 5 sci-fi movies", "what's the best comedy?"):
        assert _rules_router().understand(text, DialogueState()).update.acclaimed, text
    for text in ("a movie about best friends", "something rated R", "best of all, no horror"):
        assert not _rules_router().understand(text, DialogueState()).update.acclaimed, text
    # praise of a film the message names is no wish: these listed "best rated" films instead of ones like the film
    for text in ("I loved Casablanca, best movie ever", "Fargo is the greatest film of all time",
                 "just watched fargo, what a masterpiece"):
        update = _rules_router().understand(text, DialogueState()).update
        assert not update.acclaimed and (update.liked or update.seen), text
    assert _rules_router().understand("I loved Fargo, any highly rated crime films?", DialogueState()).update.acclaimed


def test_a_kind_of_the_wished_genre_left_out_is_said_to_be_beyond_the_genres(engine, parser):
    """"i need a laugh, but i hate slapstick" listed comedies and said nothing of the slapstick."""
    message = "i need a laugh, but i hate slapstick"
    parser.intents[message] = Intent(action="request", genres=["Comedy", "Musical"])
    turn = engine.message(engine.new_session(), message)
    request = engine.recommender.requests[-1]
    assert "Genres don't separate slapstick from other Comedy" in turn.reply
    assert list(request.wished_genres) == ["Comedy"] and not request.constraints.exclude_genres
    # "war films but not about ww2" said nothing of WW2 (and listed Schindler's List); "war movies but no world war
    # 2" left War out and searched the titles for "war movies but 2"
    for text, genre in (("a comedy, no slapstick please", "Comedy"), ("horror but no zombies", "Horror"),
                        ("war films but not about ww2", "War"), ("war movies but no world war 2", "War"),
                        ("war films, nothing about vietnam", "War"),
                        ("sci-fi without robots", "Sci-Fi")):  # tried as a new user: nothing said of them
        turn = engine.message(engine.new_session(), text)
        assert not engine.recommender.requests[-1].query, text
        assert f"from other {genre}" in turn.reply and genre in engine.recommender.requests[-1].wished_genres, text
    message = "sci fi but nothin with aliens"  # it said "I matched “with aliens” by genre only" (the typo)
    parser.intents[message] = Intent(action="request", genres=["Sci-Fi"])
    turn = engine.message(engine.new_session(), message)
    assert "Genres don't separate aliens from other Sci-Fi" in turn.reply and "by genre only" not in turn.reply
    turn = engine.message(engine.new_session(), "no horror, no zombies")  # nothing wished: the genre goes
    assert "Genres don't" not in turn.reply and "Horror" in engine.recommender.requests[-1].constraints.exclude_genres
    # tried as a new user: "a horror movie", then "I don't like slashers" said "No Horror from now on." and listed
    # anything; the request's genre is the wish a kind belongs to
    for first, then, genre in (("a horror movie", "I don't like slashers", "Horror"),
                               ("a comedy", "no slapstick please", "Comedy")):
        session = engine.new_session()
        engine.message(session, first)
        rows, requests = session.rows, len(engine.recommender.requests)
        turn = engine.message(session, then)
        assert turn.reply == (f"Genres don't separate {then.split()[-1 if 'slashers' in then else 1]} from other "
                              f"{genre}, so I can't leave that out. The list stays as it is."), turn.reply
        assert session.rows == rows and len(engine.recommender.requests) == requests
        assert genre not in session.dialogue.constraints.exclude_genres


def test_where_to_stream_is_said_to_be_beyond_the_catalogue(engine, parser):
    """Tried as a new user: "where can I watch #1?" was answered with its rating, "is #4 on netflix?" with "I can't
    tell that from titles, years and genres alone", "something on netflix" with "I can't match “on netflix”"."""
    session = engine.new_session()
    engine.message(session, "comedy")
    rows = session.rows
    for text in ("where can I watch #1?", "is #4 on netflix?", "can I stream #2 anywhere?"):
        parser.intents[text] = Intent(action="question", ask="about" if "#1" in text else "fit", item=int(text.split("#")[1][0]))
        reply = engine.message(session, text).reply
        assert reply.endswith("I have no data on where films are streaming, sold or rented."), reply
        assert "rate it" not in reply and "can't tell" not in reply
    assert session.rows == rows
    parser.intents["a comedy I can stream tonight"] = Intent(action="request", genres=["Comedy"], rest=["stream tonight"])
    turn = engine.message(engine.new_session(), "a comedy I can stream tonight")
    assert "I have no data on where films are streaming, so I can't check for “I can stream tonight”." in turn.reply
    assert "can't match" not in turn.reply
    parser.intents["something on netflix"] = Intent(action="request", rest=["on netflix"])
    turn = engine.message(engine.new_session(), "something on netflix")
    assert turn.reply.startswith("I have no data on where films are streaming, so I can't check for “on netflix”."), turn.reply


def test_can_i_stream_it_read_as_off_topic_is_answered_as_a_question_about_the_film(engine, parser):
    """Tried as a new user: after a list, "can I stream it?" (the model: off topic) said "I can only help you choose
    movies"; "where can I find these?" was answered about #10, the model's pick; "can I rent it anywhere?" about #3
    with its genres only."""
    session = engine.new_session()
    engine.message(session, "comedy")
    rows = session.rows
    parser.intents["can I stream it?"] = Intent(action="off_topic")
    assert engine.message(session, "can I stream it?").reply == "I have no data on where films are streaming, sold or rented."
    parser.intents["where can I find these?"] = Intent(action="question", ask="about", item=5)
    assert engine.message(session, "where can I find these?").reply == \
        "I have no data on where films are streaming, sold or rented."
    parser.intents["tell me about #3"] = Intent(action="question", ask="about", item=3)
    engine.message(session, "tell me about #3")
    parser.intents["can I rent it anywhere?"] = Intent(action="question", ask="fit", item=3, genres=["Drama"])
    reply = engine.message(session, "can I rent it anywhere?").reply
    assert reply.startswith(f"#3 is **{rows[2].title}**") and reply.endswith("streaming, sold or rented."), reply
    assert session.rows == rows
    parser.intents["what is the weather like?"] = Intent(action="off_topic")
    assert "only help you choose movies" in engine.message(session, "what is the weather like?").reply


def test_running_time_and_language_are_said_to_be_beyond_the_catalogue(engine, parser):
    """"something short and funny" listed comedies without a word on the length; "any good foreign films?" said
    "I have no descriptions of the films … so I can't match “foreign films”" (ML-100k has neither)."""
    parser.intents["something short and funny"] = Intent(action="request", genres=["Comedy"])
    parser.intents["any good foreign films?"] = Intent(action="request", rest=["foreign films"])
    parser.intents["a french movie with subtitles"] = Intent(action="request", rest=["french movie with subtitles"])
    parser.intents["i have a long weekend, any good thrillers?"] = Intent(action="request", genres=["Thriller"])
    turn = engine.message(engine.new_session(), "something short and funny")
    assert "I have no running times, so I can't check for “short”." in turn.reply
    assert "Comedy" in engine.recommender.requests[-1].wished_genres
    turn = engine.message(engine.new_session(), "any good foreign films?")
    assert "I have no language or country data, so I can't check for “foreign films”." in turn.reply
    assert "can't match" not in turn.reply and not engine.recommender.requests[-1].query
    turn = engine.message(engine.new_session(), "a french movie with subtitles")
    assert "“french” or “subtitles”" in turn.reply and "can't match" not in turn.reply
    turn = engine.message(engine.new_session(), "i have a long weekend, any good thrillers?")
    assert "running times" not in turn.reply  # a long weekend is no film length
    for text in ("a movie under 2 hours", "nothing too long please", "what's the runtime of #1",
                 "an action movie that isn't too long", "one that's not overly long", "it can't be too long",
                 "2 hours to kill, what should i watch", "got an hour to spare",  # "I can't match “2 hours to kill”"
                 "something like The Godfather but less long", "like heat but shorter"):  # "I have no descriptions"
        assert _unheld("runtime", text), text  # the first three tried: "isn't too long" said nothing
    for text in ("a long time ago", "as long as it's funny", "short circuit", "not too long ago"):
        assert not _unheld("runtime", text), text


def test_a_country_said_any_way_is_beyond_the_catalogue_once(engine, parser):
    """"what about something french" said "I have no plot summaries, so I can't check for “french”" (the
    model: plot "french"); "movies from italy" and "a japanese horror film" said nothing of the country."""
    parser.intents["what about something french"] = Intent(action="request", plot=["french"])
    turn = engine.message(engine.new_session(), "what about something french")
    assert "I have no language or country data, so I can't check for “french”." in turn.reply
    assert "plot summaries" not in turn.reply and turn.rows
    for text in ("movies from italy", "a japanese horror film", "I'd like a british comedy", "anything german?"):
        assert _unheld("language", text), text
    for text in ("a french kiss", "french fries", "something from the 80s", "a movie in my language"):
        assert not _unheld("language", text), text


def _unheld(kind: str, text: str) -> bool:
    from recommender.chat.merge import UNHELD

    return bool(UNHELD[kind].search(text))


def test_years_the_catalogue_does_not_reach_are_said_with_its_span(engine):
    """"something from the 2000s" said only "Nothing in the catalogue fits all of that (2000–2009)": ML-100k
    ends in 1998, which a person cannot guess."""
    years = [item.year for item in CATALOG if item.year]
    turn = engine.message(engine.new_session(), "something from the 2000s")
    assert not turn.rows
    assert f"The films here run from {min(years)} to {max(years)}, so none is from 2000–2009." in turn.reply
    from recommender.chat.answers import years_beyond_the_catalogue
    from recommender.types import Constraints

    last = max(years)
    assert years_beyond_the_catalogue(Constraints(min_year=last + 1), CATALOG).endswith(f"none is from after {last}.")
    assert years_beyond_the_catalogue(Constraints(max_year=min(years) - 1), CATALOG).endswith(f"before {min(years)}.")
    assert years_beyond_the_catalogue(Constraints(min_year=last, max_year=last + 10), CATALOG) == ""  # its last year fits
    assert years_beyond_the_catalogue(Constraints(), CATALOG) == ""


def test_who_is_watching_is_not_quoted_as_unmatched_and_the_reply_says_what_would_narrow_the_list(engine, parser):
    """"what should i watch with my girlfriend tonight" said "I can't match “my girlfriend tonight”" and
    "something to watch with my grandma" quoted “to watch with my grandma”; a person is asked instead for a
    genre or a film they like. A message that also says what to watch gets no such question."""
    from recommender.chat.company import HINT

    parser.intents["what should i watch with my girlfriend tonight"] = Intent(action="request", rest=["my girlfriend tonight"])
    parser.intents["something to watch with my grandma"] = Intent(action="request", rest=["to watch with my grandma"])
    parser.intents["a movie for me and my dad, he likes war films"] = Intent(action="request", genres=["War"],
                                                                              plot=["me and my dad"])
    for text in ("what should i watch with my girlfriend tonight", "something to watch with my grandma"):
        turn = engine.message(engine.new_session(), text)
        assert "can't match" not in turn.reply and HINT in turn.reply and turn.rows, text
    turn = engine.message(engine.new_session(), "a movie for me and my dad, he likes war films")
    assert HINT not in turn.reply and "plot" not in turn.reply
    assert all("War" in row.genres for row in turn.rows[:3])


def test_similar_but_funnier_after_naming_a_film_is_like_that_film(engine):
    """"i liked the godfather", then "something similar but funnier" listed Toy Story and Willy Wonka (Comedy
    alone); "I loved Alien", then "something like that but funnier" asked for films like #1 of the list
    (The Terminator) instead of Alien. "more like that one" still points at the list."""
    alien = next(i for i, item in enumerate(CATALOG) if item.title == "Alien")
    fargo = next(i for i, item in enumerate(CATALOG) if item.title == "Fargo")
    for liked, follow_up in (("i liked fargo", "something similar but funnier"),
                             ("I loved Alien", "something like that but funnier")):
        session = engine.new_session()
        engine.message(session, liked)
        engine.message(session, follow_up)
        request = engine.recommender.requests[-1]
        assert list(request.references) == [fargo if "fargo" in liked else alien], follow_up
        assert request.wished_genres == ("Comedy",), follow_up
    session = engine.new_session()
    engine.message(session, "I loved Alien")
    shown = list(session.dialogue.last_shown)
    turn = engine.message(session, "more like that one")
    assert shown[0] != alien and shown[0] in engine.recommender.requests[-1].references
    assert turn.reply.startswith(f"More like: {CATALOG[shown[0]].display}")


def test_something_good_is_a_request_for_anything(parser):
    """A known user's "something good" was answered "I didn't find a request in that" (and "something new" with
    "I can't match “new”")."""
    engine = ChatEngine(FakeRecommender(CATALOG, {"7": [2, 14]}), k=5, intent_parser=parser)
    for text in ("something good", "anything good?", "any good movies?", "show me something really good", "something new"):
        turn = engine.message(engine.new_session("7"), text)
        assert "didn't find a request" not in turn.reply and turn.rows, text


def test_quotes_of_unmatched_words_leave_out_filler_clauses_and_the_words_of_a_wish(engine, parser):
    """"i don't like horror, give me something exciting" said "I can't match “i , give me something
    exciting”"; "ok something nobody has seen", after a list, said "I can't match “ok something nobody has”"
    although it was read as a wish for lesser-known films."""
    from recommender.chat.merge import without_ask_head

    assert without_ask_head("i , give me something exciting") == "exciting"
    assert without_ask_head("can you find a sports movie") == "sports movie"
    parser.intents["i don't like horror, give me something quirky"] = Intent(action="request", genres=["Horror"])
    turn = engine.message(engine.new_session(), "i don't like horror, give me something quirky")
    assert "“quirky”" in turn.reply and "“i ," not in turn.reply  # ("exciting" is now read as Action and Thriller)
    assert "Horror" in engine.recommender.requests[-1].constraints.exclude_genres
    session = engine.new_session()
    engine.message(session, "something funny")
    parser.intents["ok something nobody has seen"] = Intent(action="off_topic")
    turn = engine.message(session, "ok something nobody has seen")
    assert "can't match" not in turn.reply and "Lesser-known films" in turn.reply
    assert engine.recommender.requests[-1].constraints.less_known
    turn = engine.message(engine.new_session(), "ok something nobody has seen")  # a first message too
    assert turn.rows and "Lesser-known films" in turn.reply and "only help you choose movies" not in turn.reply


def test_exciting_and_edge_of_my_seat_are_read_as_genres(engine, parser):
    """"i don't like horror, give me something exciting" said "I can't match “exciting”" (the model guessed
    Adventure, which no genre word backed)."""
    parser.intents["something exciting"] = Intent(action="request", genres=["Adventure"])
    engine.message(engine.new_session(), "something exciting")
    assert set(engine.recommender.requests[-1].wished_genres) == {"Action", "Thriller"}
    parser.intents["a movie that keeps me on the edge of my seat"] = Intent(action="request")
    turn = engine.message(engine.new_session(), "a movie that keeps me on the edge of my seat")
    assert engine.recommender.requests[-1].wished_genres == ("Thriller",) and "can't match" not in turn.reply


def test_random_picks_are_a_request_and_wish_words_are_no_unknown_title(engine, parser):
    """"something random" and "you pick" were off-topic for the model ("I can only help you choose movies");
    "highly rated hidden gems" said "I don't know the movie “highly rated hidden gems”" (the model: liked)."""
    for message in ("something random", "you pick", "a random movie", "dealer's choice"):
        parser.intents[message] = Intent(action="off_topic")
        turn = engine.message(engine.new_session(), message)
        assert turn.rows and "only help you choose" not in turn.reply, message
    parser.intents["highly rated hidden gems"] = Intent(action="request", liked=["highly rated hidden gems"])
    turn = engine.message(engine.new_session(), "highly rated hidden gems")
    constraints = engine.recommender.requests[-1].constraints
    assert "I don't know the movie" not in turn.reply and constraints.acclaimed and constraints.less_known
    parser.intents["I loved Inceptionn"] = Intent(action="request", liked=["Inceptionn"])
    assert "I don't know the movie “Inceptionn”" in engine.message(engine.new_session(), "I loved Inceptionn").reply


def test_whats_the_best_one_after_a_list_asks_about_the_list(engine, parser):
    """Tried as a new user: "a comedy", then "what's the best one?" made a new list of the best-rated comedies (the
    model read a request), so the list asked about was gone; it names the best rated of the listed films."""
    from types import SimpleNamespace

    from recommender.retrieval.ratings import Standing

    session = engine.new_session()
    engine.message(session, "comedy")
    rows, requests = session.rows, len(engine.recommender.requests)
    engine.recommender.facts = SimpleNamespace(standing={row.index: Standing(3.0 + p / 10, 50, p / 10)
                                                         for p, row in enumerate(rows)}.get)
    for text in ("what's the best one?", "ok so what is the best film here?", "best one of these"):
        parser.intents[text] = Intent(action="request", rest=["best"])
        turn = engine.message(session, text)
        assert turn.reply.startswith(f"By the ratings here, #{len(rows)} **{rows[-1].title}**"), text
        assert session.rows == rows and len(engine.recommender.requests) == requests, text
    parser.intents["what's the worst one?"] = Intent(action="feedback", disliked_items=[1])  # as the model read it
    turn = engine.message(session, "what's the worst one?")
    assert turn.reply.startswith(f"By the ratings here, #1 **{rows[0].title}** is the lowest rated of these.")
    assert not session.dialogue.disliked and session.rows == rows
    parser.intents["which ones are from the 90s?"] = Intent(action="question", ask="about", item=1)
    turn = engine.message(session, "which ones are from the 90s?")
    nineties = [f"#{p} **{r.title}**" for p, r in enumerate(rows, 1) if 1990 <= r.year <= 1999]
    assert turn.reply.startswith(("From 1990–1999: ", "All ", "None of these")) and all(n in turn.reply for n in nineties) \
        or turn.reply == f"All {len(rows)} are from 1990–1999.", turn.reply
    del engine.recommender.facts
    session = engine.new_session()
    parser.intents["what's the best one?"] = Intent(action="request", rest=["best"])
    engine.message(session, "what's the best one?")  # no list to ask about: a request
    assert len(engine.recommender.requests) == requests + 1
    for text in ("best movies", "best comedy?", "the best one with horses"):
        assert not BEST_OF_THE_LIST.search(text), text


def test_more_like_that_after_a_title_shows_the_next_films_not_the_same_list(engine, parser):
    """Tried as a new user: "Titanic", then "more like that" showed the same ten films again (Titanic steered both
    lists); "anything else like Heat?" after "I loved Heat" did too."""
    for first, then in (("Fargo", "more like that"), ("I loved Fargo", "anything else like Fargo?"),
                        ("Fargo", "others like it")):
        parser.intents[then] = Intent(action="request", like=["Fargo"])
        session = engine.new_session()
        engine.message(session, first)
        before = {row.index for row in session.rows}
        turn = engine.message(session, then)
        assert turn.rows and not before & {row.index for row in turn.rows}, (first, then)
        request = engine.recommender.requests[-1]
        assert index_of(CATALOG, "Fargo") in set(request.references) | set(request.liked), (first, then)
    session = engine.new_session()  # a new film to be like is a new list, which may share films with the last
    engine.message(session, "Fargo")
    parser.intents["more like Heat"] = Intent(action="request", like=["Heat"])
    engine.message(session, "more like Heat")
    assert index_of(CATALOG, "Fargo") not in session.dialogue.passed


def test_that_one_after_a_question_about_the_list_is_the_film_the_answer_named(engine, parser):
    """Tried as a new user: horror comedies, "which is the newest?" (two films named), then "I've seen that one"
    marked Cemetery Man, the film the model guessed the question was about; after "which would you pick?" it is the
    pick, and after an answer that names two films, nothing the model guessed."""
    session = engine.new_session()
    engine.message(session, "comedy")
    rows = session.rows
    years = [r.year for r in rows]
    oldest = years.index(min(years))
    assert years.count(min(years)) == 1 and oldest != 3  # the fake catalogue's comedies
    parser.intents["which one is the oldest?"] = Intent(action="question", ask="about", item=4)
    assert engine.message(session, "which one is the oldest?").reply.startswith(f"The oldest is #{oldest + 1} ")
    engine.message(session, "I've seen that one")
    assert session.dialogue.seen == {rows[oldest].index}
    from recommender.chat.list_answers import pointed_by_answer
    from recommender.chat.state import Question

    listed = [r.index for r in rows]
    question = Question("which", listed[3], 0, order="newest")
    assert pointed_by_answer(question, "The newest are #2 **A** and #5 **B**, both from 1996.", listed) is None
    assert pointed_by_answer(question, "The newest is #3 **C** (1997).", listed) == listed[2]
    assert pointed_by_answer(Question("about", listed[3], 4), "#4 is **D** …", listed) == listed[3]


def test_a_position_off_the_list_says_so_once_and_keeps_the_list(engine, parser):
    """Tried as a new user: "ok what about #11?" after ten films said "There is no #11: the last list had 10 items.
    I didn't find a request in that. Tell me what you're in the mood for …"."""
    session = engine.new_session()
    engine.message(session, "comedy")
    rows = session.rows
    parser.intents["ok what about #11?"] = Intent(action="question", ask="about", item=11)
    turn = engine.message(session, "ok what about #11?")
    assert turn.reply == f"There is no #11: the last list had {len(rows)} items. The list stays as it is.", turn.reply
    assert session.rows == rows and not turn.list_changed


def test_what_movies_do_you_have_says_what_the_catalogue_holds(engine):
    """Tried as a new user: "what movies do you have?" got "I can only help you choose movies, so I left that aside"."""
    turn = engine.message(engine.new_session(), "what movies do you have?")
    low, high = engine.titles.year_range
    assert turn.reply.startswith(f"I know {len(CATALOG):,} movies, from {low} to {high}: their titles, years and genres")


def test_which_one_would_you_pick_names_the_first_of_the_list(engine, parser):
    """Tried as a new user: "a comedy", then "which one would you pick?" got "I can't tell that from titles, years and
    genres alone", and "what would you recommend from these?" got "I didn't find a request in that"; the list is in
    order of fit, so the pick is its first film (of the genre asked about), with its card's reason."""
    session = engine.new_session()
    engine.message(session, "comedy")
    rows, requests = session.rows, len(engine.recommender.requests)
    for text, intent in (("which one would you pick?", Intent(action="question", ask="about", item=1)),
                         ("what would you recommend from these?", Intent(action="request", genres=["Drama"])),
                         ("which should I watch first?", Intent(action="question", ask="about", item=1)),
                         ("what's your top pick?", Intent(action="off_topic"))):
        parser.intents[text] = intent
        turn = engine.message(session, text)
        assert turn.reply.startswith(f"My pick is #1 **{rows[0].title}** ({rows[0].year}), the best fit"), text
        assert session.rows == rows and len(engine.recommender.requests) == requests, text
    genre = next(g for r in rows[1:] for g in r.genres if g not in rows[0].genres)
    first = next(p for p, r in enumerate(rows, 1) if genre in r.genres)
    text = f"which {genre.lower()} of these would you pick?"
    parser.intents[text] = Intent(action="question", ask="about", item=1)
    turn = engine.message(session, text)
    assert turn.reply.startswith(f"Of the {genre} films listed, my pick is #{first} "), turn.reply
    absent = next(g for g in ("Horror", "War", "Crime", "Drama")
                  if not any(g in r.genres for r in rows) and any(g in item.genres for item in CATALOG))
    text = f"which {absent.lower()} would you choose?"  # none listed: a request for them, as the model read it
    parser.intents[text] = Intent(action="request", genres=[absent])
    engine.message(session, text)
    assert engine.recommender.requests[-1].wished_genres == (absent,) and session.rows != rows
    rows = session.rows
    # "which should I watch first, #2 or #3?" answered about #2 alone: the one higher on the list is the pick
    parser.intents["which should I watch first, #3 or #2?"] = Intent(action="question", ask="about", item=3)
    turn = engine.message(session, "which should I watch first, #3 or #2?")
    assert turn.reply.startswith(f"Of #2 and #3, my pick is #2 **{rows[1].title}** ({rows[1].year}), higher on the "
                                 "list"), turn.reply
    assert session.dialogue.referenced == rows[1].index


def test_what_people_who_liked_a_title_watch_is_a_reference_not_the_users_like(engine, parser):
    """Tried as a new user: "what do people who liked Fargo watch?" said "Noted, you liked: Fargo (1996)" (the model
    and the rules both read "liked"); others' taste is something to be like, not the person's rating."""
    fargo = index_of(CATALOG, "Fargo")
    for text in ("what do people who liked Fargo watch?", "fans of Fargo would like what?", "if you liked Fargo, what else"):
        parser.intents[text] = Intent(action="request", liked=["Fargo"])
        session = engine.new_session()
        turn = engine.message(session, text)
        assert session.dialogue.liked == [] and "you liked" not in turn.reply, text
        assert fargo in engine.recommender.requests[-1].references, text
    from recommender.chat.state import DialogueState

    update = _rules_router().understand("I'm a fan of Fargo", DialogueState()).update
    assert update.liked == [fargo] and not update.references


def test_not_too_cheesy_after_a_list_says_why_the_list_stays(engine, parser):
    """Tried as a new user: "a romantic comedy", then "not too cheesy" got "I didn't find a request in that", though
    the reading had a line on why the cheese was left aside; that line is said, and the list stays."""
    session = engine.new_session()
    engine.message(session, "a romantic comedy")
    rows, requests = session.rows, len(engine.recommender.requests)
    for text in ("not too cheesy", "nothing predictable please"):
        parser.intents[text] = Intent(action="request", rest=[text.split()[-1]])
        turn = engine.message(session, text)
        assert turn.reply.startswith("I can't tell how ") and turn.reply.endswith("The list stays as it is."), turn.reply
        assert session.rows == rows and len(engine.recommender.requests) == requests
    parser.intents["hmm"] = Intent(action="request")
    assert "I didn't find a request in that" in engine.message(session, "hmm").reply


def test_ill_watch_a_listed_film_wishes_it_well_and_keeps_the_list(engine, parser):
    """Tried as a new user: "I'll watch #3" got "I can't match “I'll watch”" and the list again; it is a choice, and
    the reply says how to tell what they thought of it afterwards."""
    session = engine.new_session()
    engine.message(session, "comedy")
    rows, requests = session.rows, len(engine.recommender.requests)
    for text, position in (("I'll watch #3", 3), ("ok we'll go with the second one", 2), ("#4 it is", 4)):
        parser.intents[text] = Intent(action="request", rest=["I'll watch"])
        turn = engine.message(session, text)
        assert turn.reply.startswith(f"Enjoy **{rows[position - 1].title}"), turn.reply
        assert f"*loved #{position}*" in turn.reply and "can't match" not in turn.reply
        assert session.rows == rows and len(engine.recommender.requests) == requests
    engine.message(session, "I watched #3")
    assert session.dialogue.seen == {rows[2].index}


def test_rejecting_the_whole_list_shows_new_picks_or_dislikes_all_of_it(engine, parser):
    """Tried as a new user: "I don't like any of these" disliked only #10, the model's guess; "none of these are for
    me" and a bare "nah" said "I can't match “nah”" and kept the list; a bare "nope" said "Noted, not for you: A
    Clockwork Orange (1971)", one film of the list."""
    session = engine.new_session()
    engine.message(session, "comedy")
    for text in ("none of these are for me", "nah", "meh.", "not these ones", "nope"):
        shown = [r.index for r in session.rows]
        parser.intents[text] = Intent(action="request", rest=[text])
        turn = engine.message(session, text)
        assert "can't match" not in turn.reply and not set(shown) & {r.index for r in session.rows}, turn.reply
        assert "Noted" not in turn.reply and not session.dialogue.excluded, turn.reply
    shown = [r.index for r in session.rows]
    parser.intents["I don't like any of these"] = Intent(action="feedback", disliked_items=[len(shown)])
    engine.message(session, "I don't like any of these")
    assert session.dialogue.disliked == set(shown)


def test_ok_number_then_is_a_choice_not_more_picks(engine, parser):
    """Tried as a known user: "why #1?", then "ok #2 then" (the model: more) showed ten new picks led by a horror
    film three people watched; a listed position said with "ok" or "then" is the person's choice."""
    session = engine.new_session()
    engine.message(session, "comedy")
    rows, requests = session.rows, len(engine.recommender.requests)
    for text, position in (("ok #2 then", 2), ("#5 then", 5), ("fine, the first one", 1), ("alright, #3 it is", 3)):
        parser.intents[text] = Intent(action="more")
        turn = engine.message(session, text)
        assert turn.reply.startswith(f"Enjoy **{rows[position - 1].title}"), turn.reply
        assert session.rows == rows and len(engine.recommender.requests) == requests
    parser.intents["ok, more please"] = Intent(action="more")
    engine.message(session, "ok, more please")
    assert session.rows != rows


def test_tell_me_more_and_ill_watch_it_are_about_the_film_just_pointed_at(engine, parser):
    """Tried as a new user: "a good drama", "the third one sounds interesting" (The Shawshank Redemption, liked and
    off the list), then "tell me more" and "ok I'll watch it" each made new picks; "I loved it" then liked the
    new list's #1."""
    session = engine.new_session()
    engine.message(session, "comedy")
    third = session.rows[2]
    engine.message(session, "the third one sounds interesting")
    assert session.dialogue.liked == [third.index]
    rows, requests = session.rows, len(engine.recommender.requests)
    parser.intents.update({"tell me more": Intent(action="more"), "ok I'll watch it": Intent(action="request",
                                                                                               rest=["I'll watch"])})
    turn = engine.message(session, "tell me more")
    assert turn.reply.startswith(f"**{third.title}** ({third.year}), a") and session.rows == rows
    turn = engine.message(session, "ok I'll watch it")
    assert turn.reply.startswith(f"Enjoy **{third.title}") and "*I loved it*" in turn.reply and session.rows == rows
    assert len(engine.recommender.requests) == requests
    turn = engine.message(session, "I didn't like it")
    assert session.dialogue.disliked == {third.index} and rows[0].index not in session.dialogue.disliked
    session = engine.new_session()  # a newer list ends the pointing: "tell me more" is the model's to read again
    engine.message(session, "comedy")
    engine.message(session, "the third one sounds interesting")
    engine.message(session, "more please")
    requests = len(engine.recommender.requests)
    engine.message(session, "tell me more")
    assert len(engine.recommender.requests) == requests + 1
    session = engine.new_session()  # nothing pointed at: "tell me more" is the model's to read
    engine.message(session, "comedy")
    requests = len(engine.recommender.requests)
    engine.message(session, "tell me more")
    assert len(engine.recommender.requests) == requests + 1


def test_the_most_popular_movies_is_a_wish_the_catalogue_can_answer(engine, parser):
    """Tried as a new user: "the most popular movies" said "I can't match “most popular movies”", though how many
    people watched each film is what the lists here are built on."""
    for text in ("the most popular movies", "the most watched films"):
        parser.intents[text] = Intent(action="request", rest=[text.removeprefix("the ")])
        turn = engine.message(engine.new_session(), text)
        assert "can't match" not in turn.reply and turn.rows, text
        assert engine.recommender.requests[-1].constraints.less_known is False


def test_go_back_to_the_first_list_forgets_nothing(engine, parser):
    """Tried as a new user: "go back to the first list" got "Started over: I forgot what you told me in this
    conversation" (the model read a reset), and the films marked before were forgotten."""
    session = engine.new_session()
    engine.message(session, "comedy")
    engine.message(session, "I've seen #1")
    rows, seen = session.rows, set(session.dialogue.seen)
    parser.intents["go back to the first list"] = Intent(action="reset")
    turn = engine.message(session, "go back to the first list")
    assert turn.reply.startswith("I can't bring back an earlier list") and "Started over" not in turn.reply
    assert session.dialogue.seen == seen and seen and session.rows == rows
    parser.intents["ok start over"] = Intent(action="reset")
    assert engine.message(session, "ok start over").reply.startswith("Started over")
    assert not session.dialogue.seen


def test_only_good_ones_after_a_list_asks_for_the_best_rated_of_that_request(engine, parser):
    """"only good ones" after a comedy list was answered "I didn't find a request in that" (the model read
    {"action":"request","rest":["good"]}); it keeps the comedies and asks for the best rated among them."""
    session = engine.new_session()
    engine.message(session, "a comedy")
    for message in ("only good ones", "just the good ones please", "great movies only"):
        parser.intents[message] = Intent(action="request", rest=["good"])
        turn = engine.message(session, message)
        constraints = engine.recommender.requests[-1].constraints
        assert constraints.acclaimed and "didn't find a request" not in turn.reply, message
        assert "Comedy" in engine.recommender.requests[-1].wished_genres + tuple(constraints.include_genres), message
    from recommender.chat.state import DialogueState

    for text in ("a good comedy", "good ones like fargo", "only the good parts of town"):
        assert not _rules_router().understand(text, DialogueState()).update.acclaimed, text
    # "recommend movies with more than 4 stars" said "I can't match “more than 4 stars”": the ratings are here
    for message in ("recommend movies with more than 4 stars", "comedies rated above 4", "only ones with 4 stars or more"):
        parser.intents[message] = Intent(action="request", rest=["more than 4 stars"])
        turn = engine.message(engine.new_session(), message)
        assert engine.recommender.requests[-1].constraints.acclaimed and "can't match" not in turn.reply, message
    for text in ("the 4 musketeers", "rated r movies", "over 40 stars"):
        assert not _rules_router().understand(text, DialogueState()).update.acclaimed, text


def test_what_have_i_rated_highest_lists_the_best_rated_and_something_like_those_follows_them(engine, parser):
    """Known user 13: "what have i rated highest?" was answered with the last films (rated 4, 2, 3, 1 and 1/5),
    and "something like those" then got "I didn't find a request in that"."""
    import numpy as np

    from recommender.data.split import UserHistory

    titles = ("Clueless", "Fargo", "Big", "Scream", "Heat")
    items = np.array([index_of(CATALOG, t) if t != "Heat" else index_of(CATALOG, "Heat", 1995) for t in titles])
    ratings = np.array([5.0, 2.0, 5.0, 1.0, 3.0], dtype=np.float32)
    engine.recommender.histories = {"13": list(items)}
    engine.recommender.user_history = lambda user: UserHistory(user, items, ratings, np.arange(len(items)))
    parser.intents["what have i rated highest?"] = Intent(action="request", rest=["what have i rated highest"])
    session = engine.new_session("13")
    turn = engine.message(session, "what have i rated highest?")
    assert turn.reply.startswith("Your best rated, latest first among equals: **Big (1988)** 5/5, "
                                 "**Clueless (1995)** 5/5, **Heat (1995)** 3/5, **Fargo (1996)** 2/5"), turn.reply
    parser.intents["something like those"] = Intent(action="request")
    engine.message(session, "something like those")
    assert list(engine.recommender.requests[-1].references)[:2] == [items[2], items[0]]
    # (no reading for it in the fake model: its output is invalid, and the rule parser's reading answers)
    assert engine.message(session, "what have i watched?").reply.startswith("Your last films, newest first: **Heat")


def test_what_are_my_favorite_movies_and_less_cheesy(engine, parser):
    """Known user 13: "what are my favorite movies" was off-topic for the model ("I can only help you choose
    movies"); "a good date movie", then "less cheesy" showed the same ten films again."""
    engine.recommender.histories = {"13": [index_of(CATALOG, "Fargo"), index_of(CATALOG, "Big")]}
    parser.intents["what are my favorite movies"] = Intent(action="off_topic")
    turn = engine.message(engine.new_session("13"), "what are my favorite movies")
    assert turn.reply.startswith("Your best rated, latest first among equals: **Big (1988)** 4/5, **Fargo (1996)**")
    session = engine.new_session()
    shown = [r.index for r in engine.message(session, "a good date movie").rows]
    parser.intents["less cheesy"] = Intent(action="request", rest=["cheesy"])
    turn = engine.message(session, "less cheesy")
    assert "I can't tell how cheesy" in turn.reply and turn.rows and not {r.index for r in turn.rows} & set(shown)
    assert engine.recommender.requests[-1].wished_genres == ("Romance",)


def test_one_year_is_headed_as_that_year():
    """"films from 1994" was headed "(1994–1994)"."""
    from recommender.chat.answers import describe_request
    from recommender.chat.state import DialogueState
    from recommender.types import Constraints

    assert describe_request(DialogueState(constraints=Constraints(min_year=1994, max_year=1994))) == " (1994)"
    assert describe_request(DialogueState(constraints=Constraints(min_year=1990, max_year=1999))) == " (1990–1999)"


def test_a_quote_of_unmatched_words_leaves_out_the_leading_movie_about():
    """"a movie about the ocean" said "I can't match “movie about the ocean”"."""
    from recommender.chat.answers import missing_data_reply

    reply = missing_data_reply([("rest", "movie about the ocean"), ("rest", "film set in new york")], False)
    assert "“the ocean” or “new york”" in reply
    assert "“sports movie”" in missing_data_reply([("rest", "sports movie")], False)
    assert "“movie”" in missing_data_reply([("rest", "movie")], False)
    assert "“christmas movie”" in missing_data_reply([("rest", "good christmas movie")], False)  # "a good christmas movie"
    assert "“good”" in missing_data_reply([("rest", "good")], False)


def test_one_pick_is_headed_in_the_singular(engine):
    """"one more please" was answered "Here are 1 picks"."""
    turn = engine.message(engine.new_session(), "one more please")
    assert len(turn.rows) == 1 and "Here is 1 pick " in turn.reply and "1 picks" not in turn.reply


def test_how_many_picks_said_in_other_words(engine, parser):
    """Tried as a new user: "just one movie please, something funny" listed ten, "only 3 please" after a list said
    "I can't match “only 3”", and "give me 20 thrillers" listed ten without a word."""
    parser.intents["just one movie please, something funny"] = Intent(action="request", genres=["Comedy"])
    turn = engine.message(engine.new_session(), "just one movie please, something funny")
    assert len(turn.rows) == 1 and "Here is 1 pick " in turn.reply
    session = engine.new_session()
    engine.message(session, "comedy")
    first = [r.index for r in session.rows]
    for text, count in (("only 3 please", 3), ("ok, just two", 2)):
        parser.intents[text] = Intent(action="request", rest=[text])
        turn = engine.message(session, text)
        assert [r.index for r in turn.rows] == first[:count] and "can't match" not in turn.reply, turn.reply
    parser.intents["give me 20 thrillers"] = Intent(action="request", genres=["Thriller"])
    turn = engine.message(engine.new_session(), "give me 20 thrillers")
    assert f"I show {engine.k} at a time: say *more please* for the next ones." in turn.reply
    assert "at a time" not in engine.message(engine.new_session(), "give me 3 thrillers").reply


def test_this_list_is_no_title(engine, parser):
    """"i've seen everything on this list" before any list said "I don't know the movie “this list”"."""
    parser.intents["i've seen everything on this list"] = Intent(action="request", seen=["this list"])
    turn = engine.message(engine.new_session(), "i've seen everything on this list")
    assert "don't know the movie" not in turn.reply


def test_colour_and_black_and_white_requests_say_the_years_stand_in_for_them(engine, parser):
    """"mystery films from the 40s", then "any in color?" listed films from 1960 on without a word."""
    session = engine.new_session()
    engine.message(session, "mystery films from the 40s")
    parser.intents["any in color?"] = Intent(action="request", years="1960-")
    turn = engine.message(session, "any in color?")
    assert "I have no colour data, so I took “in color” as films from 1960 on" in turn.reply
    assert engine.recommender.requests[-1].constraints.min_year == 1960
    turn = engine.message(engine.new_session(), "a black and white comedy")
    assert "“black and white” as films before 1960" in turn.reply
    parser.intents["is #1 black and white?"] = Intent(action="question", ask="fit", item=1)
    turn = engine.message(session, "is #1 black and white?")
    assert "took" not in turn.reply and "#1" in turn.reply  # a question about a listed film: answered from its year


def test_a_group_watching_is_no_title_and_no_missing_data():
    """"something for the boys tonight" asked "Which “the boys” did you mean? 1) Boys, Les (1997); 2) Boys
    (1996)", and "a movie for teenage boys" said "I can't match “movie for teenage”"."""
    from recommender.chat.company import HINT
    from recommender.data.types import Catalog, Item

    catalog = Catalog(list(CATALOG) + [Item("b1", "Boys", 1996, ("Drama",)), Item("b2", "Boys, Les", 1997, ("Comedy",))])
    parser = FakeIntentParser({"a movie for teenage boys": Intent(action="request", rest=["movie for teenage boys"])})
    engine = ChatEngine(FakeRecommender(catalog, {}), k=5, intent_parser=parser)
    for text in ("something for the boys tonight", "a movie for teenage boys"):
        turn = engine.message(engine.new_session(), text)
        assert turn.rows and "did you mean" not in turn.reply and "can't match" not in turn.reply, text
        assert HINT in turn.reply
    turn = engine.message(engine.new_session(), "I really liked Boys")  # named as a film, it is one
    assert "did you mean" in turn.reply
    from recommender.chat.parse import lexicon_for, parse_message
    from recommender.chat.state import DialogueState
    from recommender.titles import TitleIndex

    rules = parse_message("a lighthearted adventure for the whole family", DialogueState(), TitleIndex(catalog),
                          lexicon_for(catalog))
    assert "Children's" in rules.query_hints or "family" in (rules.query or "")  # "family" stays a genre word


def test_a_film_named_after_like_in_lower_case_is_a_reference_though_the_model_read_only_the_genre(engine, parser):
    """"a sci-fi like alien" listed Clockwork Orange, Brazil and Contact (the model: Sci-Fi only)."""
    parser.intents["a sci-fi like alien"] = Intent(action="request", genres=["Sci-Fi"])
    engine.message(engine.new_session(), "a sci-fi like alien")
    request = engine.recommender.requests[-1]
    assert index_of(CATALOG, "Alien") in request.liked and "Sci-Fi" in request.wished_genres


def test_a_milder_film_after_a_list_is_new_picks_and_no_unmatched_words(engine, parser):
    """"too scary, something milder" after horror said "I can't match “something milder”. The list still follows
    what you asked for before." and then left Horror out; "something tamer please" after thrillers listed more
    thrillers without a word."""
    parser.intents["too scary, something milder"] = Intent(action="request", rest=["something milder"])
    parser.intents["something milder"] = Intent(action="request", rest=["something milder"])
    parser.intents["something tamer please"] = Intent(action="request", rest=["tamer"])
    for first, then in (("horror", "too scary, something milder"), ("horror", "something milder")):
        session = engine.new_session()
        shown = [(r.title, r.year) for r in engine.message(session, first).rows]
        turn = engine.message(session, then)
        assert "can't match" not in turn.reply and "still follows" not in turn.reply, turn.reply
        assert "Horror" in engine.recommender.requests[-1].constraints.exclude_genres
        assert turn.rows and not {(r.title, r.year) for r in turn.rows} & set(shown)
    session = engine.new_session()
    shown = [(r.title, r.year) for r in engine.message(session, "a thriller").rows]
    turn = engine.message(session, "something tamer please")
    assert "can't match" not in turn.reply and "can't tell how intense" in turn.reply
    assert engine.recommender.requests[-1].wished_genres == ("Thriller",)
    assert not {(r.title, r.year) for r in turn.rows} & set(shown)


def test_more_like_it_right_after_liking_a_listed_film_means_that_film():
    """"a crime movie", "the second one looks good", "more like it" said "More like: Reservoir Dogs": the new
    list's #1, not the film the person had just liked (which left the list, being liked)."""
    engine = ChatEngine(FakeRecommender(CATALOG, {}), k=5, intent_parser=None)
    session = engine.new_session()
    engine.message(session, "a crime movie")
    second = session.dialogue.last_shown[1]
    engine.message(session, "the second one looks good")
    assert second in session.dialogue.liked and second not in session.dialogue.last_shown
    turn = engine.message(session, "more like it")
    assert engine.recommender.requests[-1].liked[-1] == second or second in session.dialogue.references, turn.reply
    assert CATALOG[second].title in turn.reply.split("\n")[0]
    engine.message(session, "horror")  # a turn later, "it" is the list's #1 again
    first = session.dialogue.last_shown[0]
    turn = engine.message(session, "more like it")
    assert CATALOG[first].title in turn.reply.split("\n")[0]


def test_how_the_viewer_feels_is_no_genre_wish():
    """"i'm sad, cheer me up" listed Cool Hand Luke first, under "(Drama & Comedy)": "sad" is the viewer's mood."""
    from recommender.chat.phrases import GenreLexicon

    lexicon = GenreLexicon(["Comedy", "Drama"])
    assert lexicon.names("i'm sad, cheer me up") == ["Comedy"]
    assert lexicon.names("feeling a bit sad today, need a laugh") == ["Comedy"]
    assert lexicon.names("i'm in the mood for something sad") == ["Drama"]
    assert lexicon.names("a sad movie") == ["Drama"]


def test_a_position_before_any_list_is_said_to_point_at_nothing_or_at_the_films_a_reply_named(engine, parser):
    """"#1 seen" before any list said "I can only help you choose movies" (the model: off-topic) and "#2 seen"
    said "There is no #1 yet" (the model: seen #1); after "what did i watch recently?" (no list yet), "more
    like the second one" said "There is no #2 yet: I haven't shown a list."."""
    parser.intents["#1 seen"] = Intent(action="off_topic")
    parser.intents["#2 seen"] = Intent(action="feedback", seen_items=[1])
    assert "There is no #1 yet: I haven't shown a list." in engine.message(engine.new_session(), "#1 seen").reply
    assert "There is no #2 yet: I haven't shown a list." in engine.message(engine.new_session(), "#2 seen").reply
    engine.recommender.histories = {"7": [index_of(CATALOG, t) for t in ("Clueless", "Groundhog Day", "Big")]}
    session = engine.new_session("7")
    engine.message(session, "what did i watch recently?")
    turn = engine.message(session, "more like the second one")
    assert "Groundhog Day" in turn.reply.split("\n")[0] and turn.rows, turn.reply


@pytest.mark.parametrize("reading", [Intent(action="feedback", disliked=["laugh hard"]),
                                     Intent(action="request", liked=["laugh hard"])])
def test_wanting_to_laugh_hard_is_no_unknown_title(engine, parser, reading):
    """In the app, "I want to laugh hard" after a list got comedies under "I don't know the movie “laugh hard”.
    My catalogue has films from 1922 to 1998.": the model wrote the words as a title (the readings it gave after
    "a war comedy" and "classic horror"). A span of genre words and an intensifier is no film."""
    session = engine.new_session()
    engine.message(session, "a war film")
    parser.intents["I want to laugh hard"] = reading
    turn = engine.message(session, "I want to laugh hard")
    assert "I don't know the movie" not in turn.reply and "laugh hard" not in turn.reply
    assert turn.rows and all("Comedy" in r.genres for r in turn.rows[:3])


@pytest.mark.parametrize("text", ["scare me silly", "i want to be scared silly", "something that scares me silly"])
def test_scared_silly_is_horror_alone(text):
    """"scare me silly" (after "classic horror") listed horror comedies (Young Frankenstein, Serial Mom,
    Dracula: Dead and Loving It): "silly" there says how scared, not that the film is a comedy."""
    from recommender.chat.parse import lexicon_for

    assert lexicon_for(CATALOG).names(text) == ["Horror"]


def test_two_titles_in_one_span_are_each_linked_or_said_unknown(engine, parser):
    """"I loved heat and ronin": the model wrote one title "heat and ronin"; the reply noted Heat and said
    nothing of Ronin, which the catalogue does not hold. "When Harry Met Sally..." keeps its "and"-free self,
    and a title holding "and" is not split when it links whole."""
    parser.intents["I loved heat and ronin"] = Intent(action="feedback", liked=["heat and ronin"])
    turn = engine.message(engine.new_session(), "I loved heat and ronin")
    assert "Which “heat” did you mean?" in turn.reply and "I don't know the movie “ronin”" in turn.reply  # two Heats here
    parser.intents["I loved dumb and dumber"] = Intent(action="feedback", liked=["dumb and dumber"])
    turn = engine.message(engine.new_session(), "I loved dumb and dumber")
    assert "Noted, you liked: Dumb & Dumber" in turn.reply and "I don't know" not in turn.reply
    # tried as a new user: "i liked the matrix and inception" said "I don't know the movie “the matrix and inception”"
    parser.intents["i liked the matrix and inception"] = Intent(action="feedback", liked=["the matrix and inception"])
    turn = engine.message(engine.new_session(), "i liked the matrix and inception")
    assert "I don't know the movie “the matrix”." in turn.reply and "I don't know the movie “inception”." in turn.reply
    assert "and inception" not in turn.reply
    # "I loved Heat and The Dark Knight" also said "I have no plot summaries, so I matched “Knight” by genre only."
    text = "I loved Fargo and The Dark Knight, something exciting"
    parser.intents[text] = Intent(action="request", liked=["Fargo and The Dark Knight"], genres=["Action"])
    turn = engine.message(engine.new_session(), text)
    assert "I don't know the movie “The Dark Knight”." in turn.reply and "Knight”" not in turn.reply.replace(
        "Dark Knight”", ""), turn.reply


def test_less_old_after_a_list_of_mostly_recent_films_leaves_out_its_oldest():
    """"recommend me a good mystery" listed films from 1954 to 1997 (median 1997); "something less old" then
    said "Only films from after 1997" and listed 1998 films, only four of them mysteries."""
    from recommender.chat.year_phrases import find_relative_years

    shown = [1984, 1997, 1997, 1996, 1997, 1954, 1996, 1958, 1997, 1997]
    found = find_relative_years("something less old", shown, latest=1998)
    assert (found.min_year, found.max_year) == (1985, None)
    assert find_relative_years("something less old", [1990, 1992, 1993, 1995, 1995], latest=1998).min_year == 1994
    assert find_relative_years("something less old", shown).min_year == 1998  # no catalogue end known


def test_something_for_a_rainy_day_is_a_request_and_the_whole_phrase_is_quoted(engine, parser):
    """"something for a rainy day" was answered "I can only help you choose movies" (the model: off-topic), and
    "i hate musicals. something for a rainy day" said "I can't match “day”" (the model's rest)."""
    parser.intents["something for a rainy day"] = Intent(action="off_topic")
    turn = engine.message(engine.new_session(), "something for a rainy day")
    assert turn.rows and "“for a rainy day”" in turn.reply and "only help you choose movies" not in turn.reply
    parser.intents["something is wrong with you"] = Intent(action="off_topic")
    assert "only help you choose movies" in engine.message(engine.new_session(), "something is wrong with you").reply
    text = "i hate horror. something for a rainy day"
    parser.intents[text] = Intent(action="request", exclude_genres=["Horror"], rest=["day"])
    turn = engine.message(engine.new_session(), text)
    assert "“for a rainy day”" in turn.reply and "“day”" not in turn.reply and "No Horror" in turn.reply


def test_the_same_director_is_said_to_be_missing_data(engine, parser):
    """"i liked pulp fiction and reservoir dogs, what else by the same director?" noted both and listed crime
    films without a word that there is no crew data."""
    text = "i loved heat and alien, what else by the same director?"
    parser.intents[text] = Intent(action="feedback", liked=["heat", "alien"])
    turn = engine.message(engine.new_session(), text)
    assert "I have no cast or crew data, so I can't find films by the same director." in turn.reply
    assert "Noted, you liked" in turn.reply and turn.rows
    text = "more with the same actors"
    parser.intents[text] = Intent(action="more")
    assert "can't find films with the same actors" in engine.message(engine.new_session(), text).reply
    text = "movies starring the same cast as friends"
    parser.intents[text] = Intent(action="request", rest=["movies starring the same cast as friends"])
    reply = engine.message(engine.new_session(), text).reply
    assert "can't find films starring the same cast" in reply and "can't match" not in reply


def test_less_of_a_trait_is_no_title(engine, parser):
    """"I just watched Fargo and loved it. Anything similar but less bloody?" said "I don't know the movie
    “less bloody”" (the model wrote it as a liked title), and then the gore line twice over."""
    text = "I just watched Heat and loved it. Anything similar but less bloody?"
    parser.intents[text] = Intent(action="request", like=["Heat"], liked=["less bloody"])
    reply = engine.message(engine.new_session(), text).reply
    assert "I don't know the movie" not in reply and "“less bloody”" not in reply
    assert "I can't tell how bloody a film is from its genres" in reply
    text = "a bit less weird"
    parser.intents[text] = Intent(action="request", like=["a bit less weird"])
    reply = engine.message(engine.new_session(), text).reply
    assert "I don't know the movie" not in reply and "can't match “a bit less weird”" in reply


def test_nothing_heavy_asks_for_something_light(engine):
    """"not in the mood for anything heavy" said "I can't match “heavy”" and listed the most popular films
    (Fargo, Scream); "something light" lists comedies, and so does its negated twin."""
    for text in ("not in the mood for anything heavy", "nothing too heavy please"):
        turn = engine.message(engine.new_session(), text)
        assert "can't match" not in turn.reply and "(Comedy)" in turn.reply, text
        assert all("Comedy" in CATALOG[row.index].genres for row in turn.rows[:3]), text
    assert "(War & Comedy)" in engine.message(engine.new_session(), "a war movie but nothing too heavy").reply


def test_a_studio_is_said_to_be_read_as_a_genre(engine):
    """"any disney movies?" listed children's films and "not disney" left them out, neither saying that the
    catalogue has no studio data."""
    reply = engine.message(engine.new_session(), "any disney movies?").reply
    assert "I have no studio data, so for “Disney” I looked for Children's films." in reply
    reply = engine.message(engine.new_session(), "a comedy, but not disney").reply
    assert "I have no studio data, so for “Disney” I left out Children's films." in reply
    assert "studio" not in engine.message(engine.new_session(), "a comedy for kids").reply


def test_is_it_any_good_with_nothing_pointed_at_asks_which_film(engine, parser):
    """"a comedy", then "is it any good?" was answered about #10 (the last, here #5), the model's pick, though nothing
    said which."""
    session = engine.new_session()
    engine.message(session, "comedy")
    listed = [r.title for r in session.rows]
    parser.intents["is it any good?"] = Intent(action="question", ask="about", item=5)
    turn = engine.message(session, "is it any good?")
    assert turn.reply == "Which film do you mean? Say its number, as in “is #2 any good?”."
    assert not turn.list_changed and [r.title for r in session.rows] == listed
    parser.intents["why did you pick that one?"] = Intent(action="question", ask="why", item=3)
    assert engine.message(session, "why did you pick that one?").reply.endswith("as in “why #2?”.")
    parser.intents["is #3 any good?"] = Intent(action="question", ask="about", item=3)
    assert engine.message(session, "is #3 any good?").reply.startswith(f"#3 is **{listed[2]}**")
    parser.intents["tell me more about it"] = Intent(action="question", ask="about", item=1)
    assert engine.message(session, "tell me more about it").reply.startswith(f"#3 is **{listed[2]}**")  # #3 was asked about


def test_silent_films_are_films_before_1930_not_black_and_white_ones():
    """"silent films" listed The Wizard of Oz and Casablanca (up to 1959, as black and white): sound came in
    from 1927, and the reply now says the years stand in for it."""
    from recommender.chat.state import DialogueState

    for text, genres in (("silent films", []), ("a silent comedy", ["Comedy"]), ("any silent movies?", []),
                         ("the silent era", [])):
        update = _rules_router().understand(text, DialogueState()).update
        assert (update.min_year, update.max_year, update.wished_genres) == (None, 1929, genres), text
        assert not update.missing and not update.query, text  # "the silent era" said it can't match "era"
        assert any("no sound data, so I took “silent” as films before 1930" in note for note in update.notes), text
    update = _rules_router().understand("black and white films", DialogueState()).update
    assert update.max_year == 1959 and not any("sound" in note for note in update.notes)
    assert _rules_router().understand("a movie with a silent hero", DialogueState()).update.max_year is None


def test_watching_with_the_kids_wishes_for_childrens_films_too(engine, parser):
    """"something like Toy Story for my kids" listed Beavis and Butt-head Do America, and "a comedy for my kids"
    any comedy: the children watching were left out of the request."""
    from recommender.chat.state import DialogueState

    for text, genres in (("something like Toy Story for my kids", ["Children's"]),
                         ("a comedy for my kids", ["Comedy", "Children's"]),
                         ("a movie to watch with my kids tonight", ["Children's"]),
                         ("a horror movie, not for the kids", ["Horror"])):
        assert _rules_router().understand(text, DialogueState()).update.wished_genres == genres, text
    message = "something like toy story, for the kids"
    parser.intents[message] = Intent(action="request", like=["Toy Story"])
    engine.message(engine.new_session(), message)
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Children's",) and request.references == (index_of(CATALOG, "Toy Story"),)


def _after_an_exclusion(engine, first: str, genre: str, second: str):
    """A new session told `first`, which leaves out `genre`, then `second`: (session, turn, last request)."""
    session = engine.new_session()
    engine.message(session, first)
    assert genre in engine.recommender.requests[-1].constraints.exclude_genres
    turn = engine.message(session, second)
    return session, turn, engine.recommender.requests[-1]


def test_asking_for_an_excluded_genre_allows_it_again_and_says_so(engine, parser):
    """Tried as a new user: "a comedy, nothing scary", then "a horror movie from the 80s" listed Return of
    the Jedi and Raiders of the Lost Ark under "no Horror"; "ok, something scary after all" liked the last
    film listed (the model read "after all" as pointing at it)."""
    session, turn, request = _after_an_exclusion(engine, "a comedy, nothing scary", "Horror", "a horror movie from the 80s")
    assert request.wished_genres == ("Horror",) and not request.constraints.exclude_genres
    assert "Horror was left out until now; since you ask for it, Horror is back in." in turn.reply
    assert "Horror" in session.rows[0].genres

    session = engine.new_session()
    engine.message(session, "nothing violent")
    turn = engine.message(session, "a war movie")  # only the genre asked for is back
    excluded = engine.recommender.requests[-1].constraints.exclude_genres
    assert "War" not in excluded and {"Action", "Horror"} <= excluded and "War is back in" in turn.reply
    engine.message(session, "no war")
    assert "War" in engine.recommender.requests[-1].constraints.exclude_genres

    session = engine.new_session()  # "only comedies", then "a thriller" listed comedies
    engine.message(session, "only comedies please")
    engine.message(session, "a romantic comedy")  # within the "only": it holds
    assert engine.recommender.requests[-1].constraints.include_genres == {"Comedy"}
    turn = engine.message(session, "a thriller")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Thriller",) and not request.constraints.include_genres
    assert "You had said only Comedy; since you ask for Thriller now, that no longer holds." in turn.reply

    parser.intents["ok, something scary after all"] = Intent(action="request", genres=["Horror"], like_items=[5])
    engine.message(session, "a comedy")
    last = session.rows[-1].index
    turn = engine.message(session, "ok, something scary after all")
    assert last not in session.dialogue.liked and last not in engine.recommender.requests[-1].references
    assert "Noted" not in turn.reply


def test_for_the_kids_leaves_out_horror_even_when_a_scary_film_is_asked(engine):
    """Tried as a new user: "something like Toy Story for my kids", then "silent films" listed Nosferatu once
    the two children's films ran out; "a scary movie for the kids" listed The Shining and Scream first (no film
    here is both Horror and Children's); "we're having a movie night with the little ones, nothing scary"
    said "I can't match “we're having a movie night with the little ones”"."""
    from recommender.chat.company import about_the_viewer

    session = engine.new_session()
    turn = engine.message(session, "a scary movie for the kids")
    request = engine.recommender.requests[-1]
    assert request.wished_genres == ("Children's",) and "Horror" in request.constraints.exclude_genres
    assert ("For the kids I kept to Children's films and left out Horror from now on: I can't tell how scary a "
            "film is from its genres.") in turn.reply
    assert session.rows and not any("Horror" in row.genres for row in session.rows)
    engine.message(session, "something from the 80s")  # past the children's films: still no horror
    assert session.rows and not any("Horror" in row.genres for row in session.rows)
    turn = engine.message(engine.new_session(), "a comedy for my kids")
    assert "For the kids, no Horror from now on." in turn.reply and "No Horror" not in turn.reply
    assert about_the_viewer("we're having a movie night with the little ones")
    assert not about_the_viewer("a heist movie for my kids")


def test_children_away_are_no_wish_for_childrens_films(engine, parser):
    """Tried as a new user: "a movie for my kids", then "a thriller for tonight, kids are asleep" listed The
    Transformers first under "Thriller & Children's"; then "now something scary for me and my wife" after "a
    comedy for my kids" said "You had said no Horror", which the person never said."""
    from recommender.chat.parse import lexicon_for

    lexicon = lexicon_for(CATALOG)
    for text in ("a thriller for tonight, kids are asleep", "the kids finally went to bed, something grown up",
                 "a movie night without the kids", "kids are at grandma's, a horror movie"):
        assert "Children's" not in lexicon.names(text), text
    for text in ("a movie for the kids", "kids movies please", "something the kids are sure to love"):
        assert "Children's" in lexicon.names(text), text
    message = "a thriller for tonight, kids are asleep"
    parser.intents[message] = Intent(action="request", genres=["Thriller", "Children's"])
    session = engine.new_session()
    engine.message(session, "a comedy for my kids")
    turn = engine.message(session, message)  # Horror, left out for the kids, is back in (it stayed out)
    assert engine.recommender.requests[-1].wished_genres == ("Thriller",)
    assert "Horror was left out for the kids; it is back in now" in turn.reply
    assert "Horror" not in engine.recommender.requests[-1].constraints.exclude_genres
    turn = engine.message(session, "now something scary for me and my wife")
    assert engine.recommender.requests[-1].wished_genres == ("Horror",) and "left out" not in turn.reply


def test_a_request_for_grown_ups_after_one_for_the_kids_takes_horror_back_in(engine):
    """Tried as a new user: "a movie for my kids", then "a thriller for me tonight" kept "no Horror", which was
    left out for the kids only."""
    for second in ("a thriller for me tonight", "a comedy just for us", "kids are asleep, a thriller"):
        session = engine.new_session()
        engine.message(session, "a movie for my kids")
        turn = engine.message(session, second)
        assert "Horror" not in engine.recommender.requests[-1].constraints.exclude_genres, second
        assert "Horror was left out for the kids; it is back in now" in turn.reply, second
    session = engine.new_session()
    engine.message(session, "a movie for my kids")
    engine.message(session, "a thriller for my kids")  # still for the kids: still no Horror
    assert "Horror" in engine.recommender.requests[-1].constraints.exclude_genres
    session = engine.new_session()
    engine.message(session, "no horror")
    turn = engine.message(session, "a thriller for me")  # left out by the person, not for any kids
    assert "Horror" in engine.recommender.requests[-1].constraints.exclude_genres and "kids" not in turn.reply


def test_an_age_in_decades_is_no_decade_of_films(engine, parser):
    """Tried as a new user: "something my parents would like, they're in their 70s" listed films of the 1970s
    (the model: years up to 1969) and said "I can't match “my parents, they're in their”"."""
    from recommender.chat.state import DialogueState
    from recommender.chat.year_phrases import find_year_filters

    for text in ("something my parents would like, they're in their 70s", "my grandpa is in his late eighties"):
        found = find_year_filters(text)
        assert (found.min_year, found.max_year) == (None, None), text
    assert find_year_filters("a 70s movie my mom would like, she's in her 60s").max_year == 1979
    message = "something my parents would like, they're in their 70s"
    parser.intents[message] = Intent(action="request", years="-1969", rest=["my parents, they're in their"])
    turn = engine.message(engine.new_session(), message)
    request = engine.recommender.requests[-1]
    assert (request.constraints.min_year, request.constraints.max_year) == (None, None)
    assert "I can't tell what they would enjoy" in turn.reply and "can't match" not in turn.reply
    update = _rules_router().understand("a comedy for my grandpa, he's in his 80s", DialogueState()).update
    assert update.wished_genres == ["Comedy"] and update.max_year is None


def test_a_message_opening_with_like_and_a_title_asks_for_films_like_it():
    """Tried as a new user: "like titanic" said "Noted, you liked: Titanic (1997)" (a rating of it), where
    "like Titanic" and "movies like titanic" asked for films like it."""
    from recommender.chat.state import DialogueState

    groundhog = index_of(CATALOG, "Groundhog Day")
    for text in ("like groundhog day", "like groundhog day but older", "Like Groundhog Day"):
        update = _rules_router().understand(text, DialogueState()).update
        assert update.references == [groundhog] and not update.liked, text
    assert _rules_router().understand("i like groundhog day", DialogueState()).update.liked == [groundhog]


def test_a_genre_said_to_be_fine_again_keeps_the_request_and_any_decade_clears_years(engine, parser):
    """Tried as a new user: "an 80s comedy, no romance", then "romance is ok too" listed romances of any decade
    (a new request for Romance); "an 80s comedy", then "actually any decade is fine" kept the 1980s and said
    "I can't match “actually is fine”" (the model read no years, and the rules' "any decade" was dropped)."""
    session, turn, request = _after_an_exclusion(engine, "an 80s comedy, no romance", "Romance", "romance is ok too")
    assert request.wished_genres == ("Comedy",) and not request.constraints.exclude_genres
    assert (request.constraints.min_year, request.constraints.max_year) == (1980, 1989)
    assert "Romance is back in; the rest of your request stays." in turn.reply

    parser.intents["actually any decade is fine"] = Intent(action="request", rest=["actually is fine"])
    turn = engine.message(session, "actually any decade is fine")
    request = engine.recommender.requests[-1]
    assert (request.constraints.min_year, request.constraints.max_year) == (None, None)
    assert request.wished_genres == ("Comedy",) and "can't match" not in turn.reply


def test_for_the_kids_their_genre_comes_first_and_a_childs_age_counts(engine):
    """Tried as a new user: "a heist movie for my kids" listed Pulp Fiction, Fargo and Seven first (no film here
    is both Crime and Children's, so either genre made the first tier); "space movies for my 8 year old" listed
    A Clockwork Orange, and "a movie my 10 year old would enjoy" listed Scream with "I can't tell what they
    would enjoy": a child's age was not read as children watching."""
    from recommender.chat.state import DialogueState

    session = engine.new_session()
    engine.message(session, "a heist movie for my kids")
    request = engine.recommender.requests[-1]
    assert request.first_genre == "Children's" and "Children's" in request.wished_genres  # first: see
    # test_the_first_genre_breaks_ties_between_items_with_as_many_wished_genres
    engine.message(session, "a comedy")  # a new request for no one in particular: no genre comes first
    assert engine.recommender.requests[-1].first_genre is None
    for text in ("space movies for my 8 year old", "a movie my 10 year old would enjoy",
                 "something for our six-year-olds", "a film to watch with my grandkids"):
        update = _rules_router().understand(text, DialogueState()).update
        assert "Children's" in update.wished_genres and "Horror" in update.exclude_genres, text
    for text in ("a movie my son would enjoy", "something for my 16 year old"):
        assert "Children's" not in _rules_router().understand(text, DialogueState()).update.wished_genres, text


def test_going_back_to_a_request_is_no_reset_unless_it_says_so(engine, parser):
    """Tried as a new user: "go back to the thrillers" (the model: reset) said "Started over: I forgot what you
    told me in this conversation." and forgot the films marked seen."""
    session = engine.new_session()
    engine.message(session, "thriller")
    seen = session.rows[0].index
    engine.message(session, "#1 seen")
    engine.message(session, "comedy")
    parser.intents["go back to the thrillers"] = Intent(action="reset")
    turn = engine.message(session, "go back to the thrillers")
    assert "Started over" not in turn.reply and seen in session.dialogue.seen
    assert engine.recommender.requests[-1].wished_genres == ("Thriller",)
    message = "ok forget all that, what's a good horror comedy"
    parser.intents[message] = Intent(action="reset", genres=["Horror", "Comedy"])
    turn = engine.message(session, message)
    assert "Started over" in turn.reply and not session.dialogue.seen


def test_is_there_a_sequel_names_the_films_of_its_series_by_title(parser):
    """Tried as a new user: "a horror film", then "is there a sequel to #2?" (Scream; Scream 2 is in the
    catalogue) said "I can't tell that from titles, years and genres alone"; titles tell it."""
    from recommender.data.types import Catalog, Item

    catalog = Catalog(list(CATALOG) + [Item("900", "Scream 2", 1997, ("Horror", "Thriller")),
                                       Item("901", "Jaws 2", 1978, ("Action", "Horror")),
                                       Item("902", "Jaws", 1975, ("Action", "Horror")),
                                       Item("903", "Jaws 3-D", 1983, ("Action", "Horror"))])
    engine = ChatEngine(FakeRecommender(catalog, {}), k=5, intent_parser=parser)
    jaws, jaws2, jaws3 = (index_of(catalog, t) for t in ("Jaws", "Jaws 2", "Jaws 3-D"))
    assert engine.titles.family(jaws2) == [jaws, jaws2, jaws3] and engine.titles.family(jaws) == [jaws, jaws2, jaws3]
    session = engine.new_session()
    engine.message(session, "horror")
    rows = session.rows
    scream = next(p for p, r in enumerate(rows, 1) if r.title == "Scream")
    alone = next(p for p, r in enumerate(rows, 1) if r.title in ("Alien", "The Shining", "Ghostbusters"))
    for text, position in ((f"is there a sequel to #{scream}?", scream), (f"is #{alone} part of a series?", alone)):
        parser.intents[text] = Intent(action="question", ask="fit", item=position, genres=["Horror"])
        reply = engine.message(session, text).reply
        if position == scream:
            assert reply == f"#{scream} is **Scream** (1996): by title, its series here also has **Scream 2** (1997). " \
                            "Say *like Scream* for films like it.", reply
        else:
            assert reply.startswith(f"#{alone} is **{rows[alone - 1].title}** ({rows[alone - 1].year}): I know no "
                                    "sequel or earlier film of it by title"), reply
    parser.intents["does Jaws have a sequel?"] = Intent(action="question", ask="about")
    reply = engine.message(session, "does Jaws have a sequel?").reply
    assert "its series here also has **Jaws 2** (1978) and **Jaws 3-D** (1983)" in reply, reply
    assert session.rows == rows


def test_explaining_after_a_reset_has_no_cards_and_logs_no_failure(parser, caplog):
    """In a trial script: "a comedy", then "reset", then explaining the list logged "explaining the list failed"
    with an IndexError: the reset kept the last list's quick cards, and the explainer looked them up in no list."""
    from recommender.llm.explainer import Card

    class Explaining(FakeRecommender):
        def quick_cards(self, request, recs, cache=None):
            return [Card(k, f"{rec.title} fits.", "plain", final=False) for k, rec in enumerate(recs)]

        def explain_list(self, request, recs, cache=None, shown=None):
            for card in shown or []:
                yield card._replace(text=f"{recs[card.position].title} is written.", source="llm", final=True)

    engine = ChatEngine(Explaining(CATALOG, {}), k=5, intent_parser=parser)
    session = engine.new_session()
    engine.message(session, "comedy")
    assert [rows[-1].final for rows in engine.explain(session)][-1]
    engine.message(session, "reset")
    with caplog.at_level("ERROR"):
        assert list(engine.explain(session)) == []
    assert "failed" not in caplog.text and session.shown == []


def test_forget_the_thriller_part_takes_back_that_part_only(engine, parser):
    """Tried as a new user: "a thriller from the 90s", then "forget the thriller part" said "Started over: I forgot
    what you told me in this conversation" (the model: a reset) over a list of thrillers still; "never mind the 90s"
    when no years were asked for added the 1990s."""
    session = engine.new_session()
    text = "a romantic comedy from the 90s"
    parser.intents[text] = Intent(action="request", genres=["Romance", "Comedy"], years="1990-1999")
    engine.message(session, text)
    engine.message(session, "I've seen #1")
    seen = set(session.dialogue.seen)
    for said in ("forget the comedy part", "never mind the 90s"):
        parser.intents[said] = Intent(action="reset")
    turn = engine.message(session, "forget the comedy part")
    request = engine.recommender.requests[-1]
    assert turn.reply.startswith("Comedy is out of the request; the rest stays."), turn.reply
    assert list(request.wished_genres) == ["Romance"] and request.constraints.min_year == 1990
    assert session.dialogue.seen == seen and turn.list_changed
    turn = engine.message(session, "never mind the 90s")
    request = engine.recommender.requests[-1]
    assert turn.reply.startswith("The years are out of the request"), turn.reply
    assert list(request.wished_genres) == ["Romance"] and request.constraints.min_year is None
    rows = session.rows
    parser.intents["never mind the 80s"] = Intent(action="request", years="1980-1989")
    turn = engine.message(session, "never mind the 80s")
    assert turn.reply.startswith("The request on screen has no “80s” to take back.") and session.rows == rows
    assert engine.recommender.requests[-1].constraints.min_year is None
    from recommender.chat.forget import forget_a_wish  # "drop the horror" leaves horror films out (the dev sets)

    assert forget_a_wish("drop the romance", session.dialogue, engine.router.genres) is None
    assert forget_a_wish("drop the romance bit", session.dialogue, engine.router.genres).wished_genres == []


def test_a_title_the_rules_read_as_liked_is_not_disliked_on_the_models_word(engine, parser):
    """Tried as a new user: "I liked Fargo but hated Pulp Fiction, what now?" said "Noted, you liked: Fargo" and then
    "Noted, you didn't like: Fargo, Pulp Fiction" (the model disliked Fargo too), and listed films unlike Fargo."""
    text = "I liked Fargo but hated Scream, what now?"
    parser.intents[text] = Intent(action="request", liked=["Fargo", "Scream"], disliked=["Fargo"])
    session = engine.new_session()
    turn = engine.message(session, text)
    fargo, scream = index_of(CATALOG, "Fargo"), index_of(CATALOG, "Scream")
    assert session.dialogue.liked == [fargo] and session.dialogue.disliked == {scream}, turn.reply
    assert "Noted, you liked: Fargo (1996)." in turn.reply and "Noted, you didn't like: Scream (1996)." in turn.reply


def test_have_you_seen_a_title_asks_about_it(engine, parser):
    """Tried as a new user: "have you seen Casablanca?" said "Noted, you've seen: Casablanca (1942)" and listed
    films without it; it asks the chat about the film."""
    session = engine.new_session()
    for text in ("have you seen Casablanca?", "what do you think of Fargo?", "do you like Heat (1995)?"):
        parser.intents[text] = Intent(action="request", seen=[text.split()[-1].strip("?")])
        turn = engine.message(session, text)
        title = text.split()[-2 if "(" in text else -1].strip("?")
        assert turn.reply.startswith(f"**{title}** (") and not turn.list_changed, turn.reply
    assert not session.dialogue.seen and not session.dialogue.liked
    engine.message(session, "comedy")
    parser.intents["I have seen Casablanca"] = Intent(action="feedback", seen=["Casablanca"])
    assert "Noted, you've seen: Casablanca" in engine.message(session, "I have seen Casablanca").reply


def test_which_of_two_titles_is_better_is_answered_from_their_ratings(engine, parser):
    """Tried as a new user: "what's better, Heat or Fargo?" said "Noted, you liked: Heat (1995), Fargo (1996)" and
    listed films like both."""
    from types import SimpleNamespace

    from recommender.retrieval.ratings import Standing

    fargo, scream = index_of(CATALOG, "Fargo"), index_of(CATALOG, "Scream")
    standings = {fargo: Standing(4.2, 508, 0.98), scream: Standing(3.4, 478, 0.6)}
    engine.recommender.facts = SimpleNamespace(standing=standings.get)
    session = engine.new_session()
    for text in ("what's better, Scream or Fargo?", "is Scream better than Fargo?"):
        parser.intents[text] = Intent(action="request", liked=["Scream", "Fargo"])
        turn = engine.message(session, text)
        assert turn.reply.startswith("By the ratings here, **Fargo** (1996) is rated higher: 4.2/5 from 508 people, "
                                     "against 3.4/5 from 478 people for **Scream** (1996)."), turn.reply
    assert not session.dialogue.liked and not turn.list_changed
    parser.intents["something better than Scream or Fargo"] = Intent(action="request", like=["Scream", "Fargo"])
    assert engine.message(session, "something better than Scream or Fargo").list_changed
    del engine.recommender.facts
