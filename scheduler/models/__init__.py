"""The database models, one module per part of the domain; import them from here."""

from scheduler.models.accounts import Role, User
from scheduler.models.availability import AvailabilityKind, AvailabilityRule
from scheduler.models.breaks import BrokenSession
from scheduler.models.calendar import (
    FeedKind,
    FeedToken,
    InviteMethod,
    InviteRecord,
    Reply,
    ReplyChannel,
)
from scheduler.models.capacity import CapacityPlan, PoolCandidate
from scheduler.models.cohorts import Cohort, CohortBlock, CohortMember
from scheduler.models.facilitators import Facilitator, FacilitatorSkill, TravelCost
from scheduler.models.followups import (
    Attendance,
    Audience,
    FollowUpStep,
    MicroLesson,
    QuizQuestion,
    ReviewItem,
    SequenceTemplate,
    StepAnswer,
    StepKind,
    StepStatus,
    TemplateStep,
)
from scheduler.models.imports import ImportMapping
from scheduler.models.learning_records import LearningRecord, StatementStatus
from scheduler.models.mail import OutboxMessage, OutboxStatus
from scheduler.models.organisation import Closure, Learner, Room, Site
from scheduler.models.planning import (
    JobStatus,
    PlanningPeriod,
    ScheduledSection,
    ScheduledSession,
    ScheduleVersion,
    SectionCohort,
    SectionSeat,
    SessionPin,
    SolveJob,
    VersionOrigin,
    VersionStatus,
    WaitingLearner,
)
from scheduler.models.programs import Program, ProgramMode, ProgramSession
from scheduler.models.publishing import PublishJob
from scheduler.models.scenarios import Scenario, ScenarioStatus
from scheduler.models.sections import SectionMeetingLink
from scheduler.models.security import (
    AuditEntry,
    LoginFailure,
    PasswordResetRequest,
    PasswordResetToken,
)
from scheduler.models.solve_parts import SolvePart, SolveSplit
from scheduler.models.stamps import DataStamp

__all__ = [
    "CapacityPlan",
    "PoolCandidate",
    "SolvePart",
    "SolveSplit",
    "BrokenSession",
    "AuditEntry",
    "DataStamp",
    "LoginFailure",
    "PasswordResetRequest",
    "PasswordResetToken",
    "Attendance",
    "Audience",
    "FollowUpStep",
    "MicroLesson",
    "QuizQuestion",
    "ReviewItem",
    "SequenceTemplate",
    "StepAnswer",
    "StepKind",
    "StepStatus",
    "TemplateStep",
    "AvailabilityKind",
    "AvailabilityRule",
    "Closure",
    "Cohort",
    "CohortBlock",
    "CohortMember",
    "Facilitator",
    "FacilitatorSkill",
    "FeedKind",
    "FeedToken",
    "InviteMethod",
    "ImportMapping",
    "InviteRecord",
    "Reply",
    "ReplyChannel",
    "JobStatus",
    "Learner",
    "LearningRecord",
    "OutboxMessage",
    "OutboxStatus",
    "PlanningPeriod",
    "Program",
    "ProgramMode",
    "ProgramSession",
    "PublishJob",
    "Role",
    "Room",
    "Scenario",
    "ScenarioStatus",
    "ScheduleVersion",
    "ScheduledSection",
    "ScheduledSession",
    "SectionCohort",
    "SectionMeetingLink",
    "SectionSeat",
    "SessionPin",
    "Site",
    "SolveJob",
    "StatementStatus",
    "TravelCost",
    "User",
    "VersionOrigin",
    "VersionStatus",
    "WaitingLearner",
]
