"""The scanner: every stateless detector of a playbook, run on one message, normalising once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Literal

from hearthkeeper.playbook.rules import Rules, ViolationKind
from hearthkeeper.text.cautions import caution
from hearthkeeper.text.contact import ContactDetector
from hearthkeeper.text.disguises import DisguisedContactDetector
from hearthkeeper.text.findings import Finding
from hearthkeeper.text.gatherings import gathering
from hearthkeeper.text.invites import InviteDetector
from hearthkeeper.text.keywords import KeywordDetector
from hearthkeeper.text.links import Link, LinkDetector, find_links
from hearthkeeper.text.mentions import MentionSpamDetector, without_mentions
from hearthkeeper.text.ngram_words import in_words
from hearthkeeper.text.normalise import (
    LONGEST_REMEMBERED,
    TEXTS_REMEMBERED,
    MessageText,
    prepare,
)
from hearthkeeper.text.pitches import PitchDetector
from hearthkeeper.text.purchases import own_purchase
from hearthkeeper.text.questions import asks_about_a_business, asks_about_an_offer, asks_the_group
from hearthkeeper.text.scorer import ScoreResult, SpamScorer, shipped_scorer

# The learned scorer to consult: a community's own, "shipped" (the one `make` trained), or None.
ScorerChoice = SpamScorer | Literal["shipped"] | None

# The kinds that together mean "this message advertises" (for the quality measurement).
ADVERTISING_KINDS = frozenset(
    {
        ViolationKind.ADVERTISING.value,
        ViolationKind.LINKS.value,
        ViolationKind.CONTACT.value,
        ViolationKind.INVITES.value,
    }
)


class Scanner:
    """The text detectors a playbook enables; build once, then `scan` every message.

    Flooding and repeated text depend on earlier messages: see `FloodWindow` and
    `RepeatWindow`. Nicknames are checked at join time, not here.
    """

    def __init__(
        self,
        *,
        advertising: KeywordDetector | None = None,
        links: LinkDetector | None = None,
        contact: ContactDetector | None = None,
        invites: InviteDetector | None = None,
        mention_spam: MentionSpamDetector | None = None,
        insults: KeywordDetector | None = None,
        pitches: PitchDetector | None = None,
        scorer: SpamScorer | None = None,
        threshold: float = 0.95,
    ) -> None:
        self.advertising = advertising
        self.links = links
        self.contact = contact
        self.invites = invites
        self.mention_spam = mention_spam
        self.insults = insults
        self.pitches = pitches
        self.scorer = scorer
        self.threshold = threshold
        # where contact may be shared but advertising may not, contact offered in disguise
        # still counts as advertising (see disguises.py)
        self.disguises = (
            DisguisedContactDetector() if contact is None and advertising is not None else None
        )
        self._by_text: tuple[Callable[[MessageText], list[Finding]], ...] = tuple(
            d for d in (advertising, pitches, contact, self.disguises, insults) if d is not None
        )
        # What the text alone says, for the last texts read: chat repeats itself ("+1", "ok",
        # "哈哈哈", a pasted advertisement), and every detector here is pure.
        self._read_text = lru_cache(maxsize=TEXTS_REMEMBERED)(self._text_findings)

    @property
    def scorer(self) -> SpamScorer | None:
        """The learned scorer consulted; replaced when the community's decisions teach it."""
        return self._scorer

    @scorer.setter
    def scorer(self, scorer: SpamScorer | None) -> None:
        self._scorer = scorer
        if hasattr(self, "_read_text"):
            self._read_text.cache_clear()  # the texts' verdicts were the old scorer's

    @classmethod
    def from_rules(cls, rules: Rules, scorer: ScorerChoice = "shipped") -> Scanner:
        """The scanner for a playbook's `rules`; kinds with `enabled: false` are not scanned.

        `scorer` is the learned scorer to consult (a community's own, from `learn`), "shipped"
        for the one `make` trained, or None for rules only. It runs when advertising and
        `advertising.learned` are both enabled.
        """
        v = rules.violations
        learned = v.advertising.learned
        if not (v.advertising.enabled and learned.enabled):
            scorer = None
        elif scorer == "shipped":
            scorer = shipped_scorer()
        return cls(
            scorer=scorer,
            threshold=learned.threshold,
            advertising=(
                KeywordDetector(ViolationKind.ADVERTISING.value, v.advertising.all_keywords)
                if v.advertising.enabled
                else None
            ),
            pitches=(PitchDetector() if v.advertising.enabled and v.advertising.pitches else None),
            links=LinkDetector(v.links.allowed_domains) if v.links.enabled else None,
            contact=(
                ContactDetector(
                    phone_numbers=v.contact.phone_numbers,
                    messaging_ids=v.contact.messaging_ids,
                    emails=v.contact.emails,
                    keywords=v.contact.all_keywords,
                )
                if v.contact.enabled
                else None
            ),
            invites=(
                InviteDetector(
                    keywords=v.invites.all_keywords,
                    allowed_domains=v.links.allowed_domains,
                    qr_codes=v.invites.qr_codes,
                )
                if v.invites.enabled
                else None
            ),
            mention_spam=(
                MentionSpamDetector(v.mention_spam.max_mentions) if v.mention_spam.enabled else None
            ),
            insults=(
                KeywordDetector(
                    ViolationKind.INSULTS.value,
                    v.insults.all_keywords,
                    whole=v.insults.whole_messages,
                )
                if v.insults.enabled
                else None
            ),
        )

    def scan(
        self, text: str | MessageText, mentions: int = 0, *,
        command: bool = False,
        mentioned: Callable[[], Iterable[str]] | None = None,
        words: str | None = None,
        own: Callable[[], str] | None = None,
        spared: Callable[[], bool] | None = None,
    ) -> list[Finding]:  # fmt: skip
        """Every violation found in one message; `mentions` is the carrier's mention count,
        `command` whether it invokes one of the community's in-chat commands (the caller
        knows them): the learned scorer does not judge those. `mentioned`: the names of the
        members the carrier says the message mentions, asked likewise only when the scorer
        flags it; the scorer then judges the text without them (a member's name is not the
        sender's words: `@武汉-小米-油皮` read as an ad), the rules still read it all.
        `words`: for a member's command, the words after its name, which the scorer judges
        instead of the whole text (the name is the community's: `/claim` reads as SMS spam).
        `own`: asked only when the scorer flags `words` (or, without them, the text), what
        of them names nothing the community has; the scorer judges that instead, and nothing
        (`/vote 2`, `/rsvp 周六护肤沙龙`, `+1 院长精选·秋冬保湿`: the community's own option,
        event or item) drops its verdict. Of a command's `words`, `own` is asked when a rule
        flags them too, and nothing drops the rules' findings as well: the words name the
        community's own reward, title or event, and the command's name is the community's too
        (`/兑换 院长一对一肤质诊断` redeems the playbook's reward; read as a message it is a
        seller's line). `spared`: asked only when a rule or the scorer found something in a
        message that is no command, whether it is one typed without its slash that names only
        the community's own (`兑换 包邮券`); then none of those findings stands."""
        message = text if isinstance(text, MessageText) else prepare(text)
        short = len(message.original) <= LONGEST_REMEMBERED
        read = self._read_text if short else self._text_findings
        scored = message  # what the scorer judged
        by_scorer: tuple[Finding, ...]
        if words is not None:
            by_rules, by_scorer = read(message, True)  # the rules alone: no scorer on a command
            scored = prepare(words)
            if words.strip() and not is_advertising(list(by_rules)):
                by_scorer = self._scored_alone(scored)
        else:
            by_rules, by_scorer = read(message, command)
        if own is not None and (by_scorer or (words is not None and by_rules)):
            left = own()
            if not left:  # the community's own names: neither the scorer's nor, after a
                by_scorer = ()  # command, the rules' verdict stands (`/兑换 包邮券`)
                by_rules = () if words is not None else by_rules
            elif by_scorer and left != (message.original if words is None else words):
                scored = prepare(left)  # the names taken out: what is left is judged alone
                by_scorer = self._scored_alone(scored)
        if spared is not None and (by_rules or by_scorer) and spared():
            by_rules = by_scorer = ()
        if by_scorer and mentioned is not None:
            by_scorer = self._without_names(scored, mentioned(), by_scorer)
        if self.mention_spam is None:
            return [*by_rules, *by_scorer]
        # the mention count is the carrier's, not the text's; no advertising kind, so the
        # scorer's reading does not depend on it
        return [*by_rules, *self.mention_spam(message, mentions), *by_scorer]

    def _text_findings(self, message: MessageText,
                       command: bool) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:  # fmt: skip
        """The rules' findings on the text, and the learned scorer's (consulted only when no
        rule said advertising, never on a command)."""
        findings: list[Finding] = []
        for detector in self._by_text:
            findings += detector(message)
        found = None  # the links, found once for the link rules and the scorer
        if self.links is not None or self.invites is not None:
            found = find_links(message.normalised)
            invite_links: set[str] = set()
            if self.invites is not None:
                invites = self.invites(message, found)
                invite_links = {f.matched for f in invites}
                findings += invites
            if self.links is not None:
                # an invite link is reported once, as the more telling invite
                findings += [f for f in self.links(message, found) if f.matched not in invite_links]
        if self.scorer is not None and not command and not is_advertising(findings):
            # consulted only when no rule spoke: a rule's reason is the clearer one to read;
            # never on a bot command ("/claim Tea Master"), which the command handler answers
            return tuple(findings), self._scored(self.scorer, message, found)
        return tuple(findings), ()

    def _scored(self, scorer: SpamScorer, message: MessageText,
                found: list[Link] | None) -> tuple[Finding, ...]:  # fmt: skip
        """The learned scorer's finding on a text no rule called advertising, if it flags it;
        `found`: its links, when the link rules found them."""
        verdict = scorer.flags(message, found, self.threshold)
        if (
            verdict is not None
            and not found
            and (
                caution(message) is not None
                or gathering(message) is not None
                or own_purchase(message) is not None
                or asks_about_a_business(message) is not None
                or asks_about_an_offer(message) is not None
                or asks_the_group(message) is not None
            )
        ):
            # a member warning others (网贷千万别碰), calling the community's own outing
            # (周六爬山，名额有限，抓紧报名), telling what they paid (我家空调清洗花了一百五，
            # 师傅挺专业的), asking about a shop (他们家是一站式服务吗？) or about an offer
            # (日结的兼职靠谱吗？) or asking the group in English (Has anyone tried the
            # cake subscription?): topic words alone, no rule, no link
            verdict = None
        return () if verdict is None else (scorer_finding(message, verdict),)

    def _without_names(self, message: MessageText, names: Iterable[str],
                       flagged: tuple[Finding, ...]) -> tuple[Finding, ...]:  # fmt: skip
        """The scorer's finding on the text without the names of the members it mentions
        (`flagged`, its finding on the whole text, when it names none of them)."""
        said = without_mentions(message.original, names)
        if said == message.original or self.scorer is None:
            return flagged
        return self._scored_alone(prepare(said))

    def _scored_alone(self, read: MessageText) -> tuple[Finding, ...]:
        """The learned scorer's finding on a part of a message the rules have read whole."""
        if self.scorer is None:
            return ()
        found = None
        if self.links is not None or self.invites is not None:
            found = find_links(read.normalised)  # as the rules would have found them
        return self._scored(self.scorer, read, found)

    def scan_picture(self, image: bytes) -> list[Finding]:
        """Findings for a picture: a QR code counts as an invite when the playbook says so."""
        return self.invites.picture(image) if self.invites is not None else []


def scorer_finding(message: MessageText, verdict: ScoreResult) -> Finding:
    """The learned scorer's verdict as staff read it: its telling n-grams as the words that
    hold them (`低价出货`, not the `价出` read across two words), with Chinese numerals as
    written (`一九九`, not the `199` the scorer reads)."""
    grams = in_words(message, verdict.ngrams)
    matched = grams[0] if grams else message.as_written(message.normalised[:40])
    said = f"learned scorer: spam {verdict.probability:.2f}"
    if grams:
        said += " on " + ", ".join(f"'{gram}'" for gram in grams)
    return Finding(ViolationKind.ADVERTISING.value, matched, said, verdict.probability)


def is_advertising(findings: list[Finding]) -> bool:
    """Whether any finding is of a kind that means advertising (advertising, links, contact, invites)."""
    return any(finding.kind in ADVERTISING_KINDS for finding in findings)


def name_advert(name: str, rules: Scanner) -> str | None:
    """What of a member's display name the moderation rules call advertising (`加V信ab1234领福利`
    offers a WeChat id), if anything: shown beside every message, it would be an ad in each.
    The rules alone read it, not the learned scorer: a name is a few words the scorer was not
    trained on (members' `城市-昵称-行业` names read as shop ads to it), and whoever reads the
    verdict has to be told what in the name is wrong."""
    for finding in rules.scan(name, command=True):
        if finding.kind in ADVERTISING_KINDS:
            return finding.matched or name
    return None
