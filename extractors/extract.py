"""The public entry point: one page's HTML in, one :class:`ArticleRecord` out.

``extract_article`` runs the content extractor (title, date, body text), then
the figure, hospital and campaign readers over the body text. Figures and
hospitals come from the body only: the lines that repeat the title and
everything from a related-news heading on ("Có thể bạn quan tâm", "Tin khác")
are blanked out first (same length, so offsets still point into ``text``). The
first such headline line is given back to the figure reader, which keeps a
headline figure only as a first mention or as a fact the body does not count.

An article about something else yields no figures, no hospitals and no
campaign (a crash story naming the hospital its victims went to is not
coverage of a campaign): campaign coverage has at least two distinct words
of the relevance lexicon (blood donation, gifts, houses, tickets, charity,
campaign words) and either a named campaign or a core word in its title or
lead, so a policy round-up that mentions "hộ nghèo" in passing is not
coverage; a campaign whose name holds such a word ("Mái ấm nghĩa tình") is.
A title of another kind of story (a fraud "lừa đảo … chiếm đoạt", a tree-planting
day) is no coverage unless it quotes the campaign's name. :func:`drop_reason` says
why a record holds no figures (no text, off-topic title, not coverage, none found),
for a crawl summary to count.

Roles take the campaign's own year as "this year" (a launch published in
December for next year's edition), else the page's year.
"""

from __future__ import annotations

import re

from extractors import _lexicon as lx
from extractors.campaign import extract_campaign
from extractors.content import extract_content
from extractors.figures import body_end, extract_figures
from extractors.hospitals import extract_hospitals
from extractors.normalize import match_form, normalize_text
from extractors.record import EXTRACTOR_VERSION, ArticleRecord, Campaign, Figure, Hospital

__all__ = [
    "DROP_REASONS",
    "drop_reason",
    "extract_article",
    "is_relevant",
    "read_article",
    "record_from_text",
]

#: Why an article's record holds no figures (:func:`drop_reason`), in the order they are checked:
#: no body text at all; a title of another kind of story; not campaign coverage (the topic gate);
#: coverage in which no figure was found.
DROP_REASONS: tuple[str, ...] = ("no_text", "off_topic_title", "not_coverage", "no_figures")

_REL = lx.section("relevance")
_RELEVANT_RE = lx.phrase_pattern(_REL["words"])
_CORE_RE = lx.phrase_pattern(_REL["core"])
_OFF_TOPIC_RE = lx.phrase_pattern([*_REL["off_topic_title"], *_REL["off_topic_neutral"]])
_OFF_TOPIC_NEUTRAL = set(lx.forms(_REL["off_topic_neutral"]))
_OTHER_TOPIC_RE = lx.phrase_pattern(_REL["other_topic_title"])
_TITLE_QUOTE_RE = re.compile(r"[“\"«‘]([^“”\"«»‘’\n]{3,160})[”\"»’]")


def _off_topic(title: str | None, campaign_name: str | None) -> bool:
    """A title of another kind of story that does not quote the campaign's name: not coverage,
    whatever charity words its body uses. A crime cue ("lừa đảo", "chiếm đoạt") decides alone
    (unless it is a unit's name: "Phòng An ninh điều tra"); another topic ("Tết trồng cây") only
    when the title holds no core word of campaign coverage ("… kết hợp hiến máu" is coverage)."""
    mf = match_form(normalize_text(title or ""))
    crime = any(m.group() not in _OFF_TOPIC_NEUTRAL for m in _OFF_TOPIC_RE.finditer(mf))
    other = bool(_OTHER_TOPIC_RE.search(mf)) and not _CORE_RE.search(mf)
    if not (crime or other):
        return False
    if not campaign_name:
        return True
    name = match_form(normalize_text(campaign_name))
    return not any(name in q.group(1) for q in _TITLE_QUOTE_RE.finditer(mf))


def is_relevant(
    title: str | None, text: str, campaign_named: bool = False, campaign_name: str | None = None
) -> bool:
    """Whether an article is campaign coverage.

    Enough distinct relevance words in title and text, and a core word (blood
    donation, gifts, charity) in the title or the lead, unless a campaign is named;
    a campaign whose own name holds a relevance word ("Mái ấm biên cương",
    "Chuyến xe nghĩa tình") is coverage by itself.
    """
    if campaign_name and _RELEVANT_RE.search(match_form(normalize_text(campaign_name))):
        return True
    hits = {m.group() for m in _RELEVANT_RE.finditer(match_form(f"{title or ''}\n{text}"))}
    if len(hits) < int(_REL["min_hits"]):
        return False
    lead = [p for p in text.split("\n") if p.strip()][: int(_REL["lead_paragraphs"])]
    return campaign_named or bool(_CORE_RE.search(match_form("\n".join([title or "", *lead]))))


def _body(title: str | None, text: str) -> tuple[str, tuple[int, int] | None]:
    """``text`` with the related-news tail and every line that repeats the title blanked (same
    length, so offsets hold), and where the first such line stands: a page's headline is often
    printed again above the lead."""
    end = body_end(text)
    body = text[:end] + " " * (len(text) - end)
    if not title:
        return body, None
    want = match_form(normalize_text(title))
    head = None
    pos = 0
    for line in body.split("\n"):
        if line.strip() and len(line) <= 2 * len(want) + 16 and match_form(normalize_text(line)) == want:
            body = body[:pos] + " " * len(line) + body[pos + len(line) :]
            head = head or (pos, pos + len(line))
        pos += len(line) + 1
    return body, head


def _gate(title: str | None, body: str, campaign: Campaign | None) -> str | None:
    """Why the article is no campaign coverage (a :data:`DROP_REASONS` value), or None. A page
    whose body came out empty keeps what its title says (its campaign)."""
    name = campaign.name if campaign is not None else None
    if _off_topic(title, name):
        return "off_topic_title"
    if not is_relevant(title, body, name is not None, name):
        return "not_coverage"
    return None


def read_article(
    title: str | None, text: str, published: str | None
) -> tuple[Campaign | None, tuple[Figure, ...], tuple[Hospital, ...]]:
    """Campaign, figures and hospitals of an article's title, body text and ISO date."""
    body, head = _body(title, text)
    hospitals = extract_hospitals(body)
    campaign = extract_campaign(title, body, published)
    if _gate(title, body, campaign) is not None:
        return None, (), ()
    # The campaign's own year is "this year" for roles (a launch published in December for the
    # next year's edition); else the page's year.
    year = campaign.year if campaign is not None else None
    if year is None and published and published[:4].isdigit():
        year = int(published[:4])
    # The headline printed above the lead is read for figures too (a fact only the headline states),
    # see extract_figures
    if head is not None:
        body = body[: head[0]] + text[head[0] : head[1]] + body[head[1] :]
    figures = extract_figures(body, published_year=year, published=published, headline=head)
    return campaign, figures, hospitals


def drop_reason(record: ArticleRecord) -> str | None:
    """Why a record holds no figures: one of :data:`DROP_REASONS`, or None when it has figures.

    Pure and cheap (the topic gate again over the record's own title and text), so a pipeline
    can count the articles it crawled that yielded nothing, by reason, without a second
    extraction: ``drop_reason(extract_article(html, url))``.
    """
    if record.figures:
        return None
    body, _ = _body(record.title, record.text)
    if not body.strip():
        return "no_text"
    campaign = extract_campaign(record.title, body, record.published)
    return _gate(record.title, body, campaign) or "no_figures"


def extract_article(
    html: str | bytes, url: str | None = None, content_type: str | None = None
) -> ArticleRecord:
    """The article record of one page served as ``content_type`` (the HTTP header; None when
    unknown, as for a saved file); ``ExtractionError`` if it is not an HTML page.

    Bytes are decoded by :func:`extractors.decode.decode_html`, the decoder the crawler uses
    too, so a page re-extracted from the archive reads exactly as it read when crawled.
    """
    content = extract_content(html, url, content_type)
    campaign, figures, hospitals = read_article(content.title, content.text, content.published)
    return ArticleRecord(
        url=content.url or url or "",
        canonical_url=content.canonical_url,
        site=content.site,
        title=content.title,
        published=content.published,
        section=content.section,
        language=content.language,
        text=content.text,
        campaign=campaign,
        figures=figures,
        hospitals=hospitals,
        extractor_version=EXTRACTOR_VERSION,
    )


def record_from_text(
    url: str | None, title: str | None, text: str, published: str | None, site: str = ""
) -> ArticleRecord:
    """The record of an article given as its words rather than a page (a corpus of texts read by
    hand): ``text`` is the body, paragraphs one per line, already normalised."""
    campaign, figures, hospitals = read_article(title, text, published)
    return ArticleRecord(
        url=url or "",
        canonical_url=None,
        site=site,
        title=title,
        published=published,
        section=None,
        language="vi",
        text=text,
        campaign=campaign,
        figures=figures,
        hospitals=hospitals,
        extractor_version=EXTRACTOR_VERSION,
    )
