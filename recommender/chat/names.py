"""Common first names and well-known surnames, to tell a person from a title the catalogue lacks.

The intent model sometimes writes a name as a title ("Jim Carrey ones are too silly" disliked the
"title" Jim Carrey), and the chat then said "I don't know the movie “Jim Carrey”". A span that links to no
catalogue title and starts with one of these names is read as a person (the catalogue has no cast data,
and the reply says so). A misspelt title such as "Forest Gump" does not start with a first name.
"""

FIRST_NAMES = frozenset("""
adam al alan alec alfred amy andy angela angelina anne anthony arnold audrey ben bette bill billy bob brad
brian bruce burt cameron cary catherine charles charlie charlton chris christopher clint colin dan daniel
danny david demi denzel diane dustin ed eddie elizabeth emma francis frank gary gene george glenn grace
greta gregory gwyneth halle harrison helen henry hugh humphrey ingrid jack jackie james jamie jane jeff
jennifer jim jimmy jodie joe john johnny jon julia julianne kate katharine keanu kevin kim kirk kurt laurence
leonardo liam lucy marilyn mark martin matt matthew meg mel meryl michael michelle mike morgan nicolas nicole
oliver orson paul peter quentin ralph richard ridley rob robert robin russell ryan sally samuel sandra sarah
scarlett sean sigourney spike stanley steve steven susan sylvester ted tim tom tommy tony uma val vivien
walter warren wes whoopi will william winona woody""".split())
# Said alone for a person ("anything else from hitchcock?"); none is a catalogue title on its own.
SURNAMES = frozenset("""
allen altman bergman bogart brando burton cage cameron capra carpenter chaplin coppola costner cronenberg cruise
depp dicaprio eastwood fincher ford hanks hepburn hitchcock hoffman keaton kubrick kurosawa lucas lynch nicholson
pacino polanski scorsese schwarzenegger spielberg stallone streep tarantino travolta wilder wayne stewart gable
monroe willis carrey pitt damon connery gibson swayze ryder grant""".split())
WORD_SURNAMES = frozenset("allen cage cruise ford hoffman keaton lucas lynch wilder grant".split())  # also words
