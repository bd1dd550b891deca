"""The tables, as SQLAlchemy 2 typed models, one module per family; `migrations/` must build
exactly this schema. Every table is importable from here (`from hearthkeeper.store.models
import OutboxRow`), and importing this package registers them all on `Base.metadata`."""

from hearthkeeper.store.models.activities import ActivityEventRow, ActivitySignUpRow
from hearthkeeper.store.models.admission import ApplicationRow, InviteCodeRow, InviteCodeUseRow
from hearthkeeper.store.models.alerts import HeldAlertRow
from hearthkeeper.store.models.appeals import AppealRow
from hearthkeeper.store.models.base import BIG_ID, KEY, NAME, NAMING_CONVENTION, OUTBOX_KEY, Base
from hearthkeeper.store.models.billing import OrderRow, PaymentReferenceRow, SubscriptionRow
from hearthkeeper.store.models.community import (
    AuditRow,
    CommunityRow,
    GroupRow,
    IdentityRow,
    MemberRow,
    MembershipRow,
    PlaybookVersionRow,
    TagRow,
)
from hearthkeeper.store.models.crisis import CrisisEpisodeRow, CrisisMarkRow
from hearthkeeper.store.models.events import (
    EventRow,
    MentionRow,
    MessageRow,
    OutboxRow,
    ReactionRow,
    ScheduledRow,
)
from hearthkeeper.store.models.grid import (
    GridConditionRow,
    GroupCapacityOverrideRow,
    GroupInChargeRow,
)
from hearthkeeper.store.models.joins import JoinSourceRow
from hearthkeeper.store.models.livecodes import LiveCodeArrivalRow, LiveCodeRoutingRow, LiveCodeRow
from hearthkeeper.store.models.mechanisms import (
    QUESTION_WAITING,
    CheckInDayRow,
    CheckInRow,
    LevelChangeRow,
    MemberLevelRow,
    PointsRow,
    PollRow,
    PollVoteRow,
    PostRow,
    QuestionRow,
    RedemptionRow,
    SignUpEntryRow,
    SignUpItemRow,
    SignUpListRow,
    TitleRow,
)
from hearthkeeper.store.models.misses import NetworkMissRow
from hearthkeeper.store.models.moderation import (
    ModerationExampleRow,
    SanctionRow,
    StaffAlertRow,
    StrikeRow,
)
from hearthkeeper.store.models.referrals import ReferralLinkRow, ReferralRow
from hearthkeeper.store.models.reports import ReportedMessageRow, ReportRow
from hearthkeeper.store.models.rollups import (
    ActivityDayRow,
    GroupDayKindRow,
    GroupDayRow,
    UncountedImportRow,
)
from hearthkeeper.store.models.web import (
    ApiTokenRow,
    ConsoleSessionRow,
    OperatorRow,
    WebChatEventRow,
    WebChatGroupRow,
    WebChatMessageRow,
    WebChatSeatRow,
    WebChatUserRow,
)

__all__ = [
    "BIG_ID",
    "KEY",
    "NAME",
    "NAMING_CONVENTION",
    "OUTBOX_KEY",
    "QUESTION_WAITING",
    "ActivityDayRow",
    "ActivityEventRow",
    "ActivitySignUpRow",
    "ApiTokenRow",
    "AppealRow",
    "ApplicationRow",
    "AuditRow",
    "Base",
    "CheckInDayRow",
    "CheckInRow",
    "CommunityRow",
    "ConsoleSessionRow",
    "CrisisEpisodeRow",
    "CrisisMarkRow",
    "EventRow",
    "GridConditionRow",
    "GroupCapacityOverrideRow",
    "GroupDayKindRow",
    "GroupDayRow",
    "GroupInChargeRow",
    "GroupRow",
    "HeldAlertRow",
    "IdentityRow",
    "InviteCodeRow",
    "InviteCodeUseRow",
    "JoinSourceRow",
    "LevelChangeRow",
    "LiveCodeArrivalRow",
    "LiveCodeRoutingRow",
    "LiveCodeRow",
    "MemberLevelRow",
    "MemberRow",
    "MembershipRow",
    "MentionRow",
    "MessageRow",
    "ModerationExampleRow",
    "NetworkMissRow",
    "OperatorRow",
    "OrderRow",
    "OutboxRow",
    "PaymentReferenceRow",
    "PlaybookVersionRow",
    "PointsRow",
    "PollRow",
    "PollVoteRow",
    "PostRow",
    "QuestionRow",
    "ReactionRow",
    "RedemptionRow",
    "ReferralLinkRow",
    "ReferralRow",
    "ReportRow",
    "ReportedMessageRow",
    "SanctionRow",
    "ScheduledRow",
    "SignUpEntryRow",
    "SignUpItemRow",
    "SignUpListRow",
    "StaffAlertRow",
    "StrikeRow",
    "SubscriptionRow",
    "TagRow",
    "TitleRow",
    "UncountedImportRow",
    "WebChatEventRow",
    "WebChatGroupRow",
    "WebChatMessageRow",
    "WebChatSeatRow",
    "WebChatUserRow",
]
