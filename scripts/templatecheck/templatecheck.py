#!/usr/bin/env python3
"""Checks that SAM templates of batch-consuming Lambda functions deploy safely.

    python3 scripts/templatecheck/templatecheck.py TEMPLATE...

Each template is read with cfn-lint's YAML loader (which understands !Ref,
!GetAtt, !Sub and the other short forms) and translated to CloudFormation by
the SAM translator, with its validation on; the rules then read what would
be deployed: every AWS::Lambda::EventSourceMapping of an SQS queue, a
Kinesis or DynamoDB stream, or a Kafka topic, the function it invokes, that
function's role and policies, the queues, streams and tables in the
template, and its alarms. Nothing names a particular template: the rules
find the mappings and follow their references. A rule that needs a resource
the template does not define (a queue given by ARN, a role of another
stack) reports `unresolved` rather than passing.

Each violation is printed as `TEMPLATE: [RULE] WHERE: WHAT`, and the command
exits 1 if there was any. The rules and the AWS guidance behind them are in
RULES below. scripts/templatecheck/test_templatecheck.py runs the examples
and the broken templates of testdata/ through it.

The function's Metadata may say `PartialBatch: sqsdelete`: the function then
reports partial failures by deleting the messages that succeeded itself
(package sqsdelete), its SQS mappings go without ReportBatchItemFailures on
purpose, and its role must allow sqs:DeleteMessage on the queue.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

RULES = {
    "report-batch-item-failures": (
        "every SQS, Kinesis, DynamoDB and Kafka mapping has FunctionResponseTypes: "
        "[ReportBatchItemFailures]; without it Lambda ignores the partial batch "
        "response and deletes or checkpoints past the failed records"
    ),
    "partial-batch-sqsdelete": (
        "a function marked PartialBatch: sqsdelete has SQS mappings only, "
        "without ReportBatchItemFailures"
    ),
    "delete-permission": (
        "a PartialBatch: sqsdelete function's role allows sqs:DeleteMessage "
        "(which also authorizes DeleteMessageBatch) on its queue"
    ),
    "retry-cap": (
        "stream and Kafka mappings set MaximumRetryAttempts to 0 or more: the "
        "default -1 retries a failing record until it expires (streams) or "
        "forever (Kafka), holding its shard or partition"
    ),
    "record-age": (
        "Kinesis and DynamoDB mappings set MaximumRecordAgeInSeconds (default -1, "
        "until the record expires), below the stream's retention so that the "
        "batch described at the on-failure destination can still be read"
    ),
    "on-failure-destination": (
        "stream and Kafka mappings have DestinationConfig.OnFailure.Destination; "
        "without it a batch Lambda gives up on is dropped silently"
    ),
    "destination-permission": (
        "the function's role may send to the on-failure destination: "
        "sqs:SendMessage (SQS), sns:Publish (SNS), s3:PutObject and s3:ListBucket "
        "(S3), kafka-cluster:WriteData (Kafka topic)"
    ),
    "kafka-provisioned-mode": (
        "a Kafka mapping with error handling controls has ProvisionedPollerConfig: "
        "Lambda applies them in provisioned mode only"
    ),
    "visibility-timeout": (
        "an SQS source queue's VisibilityTimeout is at least 6 x the function's "
        "Timeout + the mapping's MaximumBatchingWindowInSeconds"
    ),
    "dead-letter-queue": "an SQS source queue has a RedrivePolicy with a deadLetterTargetArn",
    "dead-letter-retention": (
        "a dead-letter queue keeps messages longer than its standard source queue "
        "(a moved message keeps its enqueue time), at least as long as its FIFO "
        "source queue"
    ),
    "dead-letter-type": "the dead-letter queue of a FIFO queue is FIFO, of a standard queue standard",
    "alarm-failed-messages": (
        "every dead-letter queue and on-failure destination queue has a CloudWatch "
        "alarm on ApproximateNumberOfMessagesVisible that fires at one message"
    ),
    "alarm-iterator-age": (
        "every Kinesis and DynamoDB mapping has an alarm on the function's "
        "IteratorAge (or the stream's GetRecords.IteratorAgeMilliseconds) that "
        "fires before records reach MaximumRecordAgeInSeconds"
    ),
    "encryption": (
        "queues (SqsManagedSseEnabled or KmsMasterKeyId), topics (KmsMasterKeyId), "
        "Kinesis streams (StreamEncryption) and DynamoDB tables (SSESpecification) "
        "are encrypted, said in the template"
    ),
    "tracing": "functions with batch mappings have Tracing: Active",
    "json-logs": "functions with batch mappings have LoggingConfig: {LogFormat: JSON}",
    "build": (
        "each AWS::Serverless::Function builds with BuildMethod: makefile from a "
        "Makefile in its CodeUri with a build-<LogicalId> target, for a provided.* runtime"
    ),
    "outputs": (
        "Outputs name every function, every source queue, stream and table, every "
        "dead-letter queue and on-failure destination queue of the template"
    ),
    "unresolved": "the check found every resource it needed in the template",
    "sam-translate": "the template parses and the SAM translator accepts it",
}

SQS, KINESIS, DYNAMODB, KAFKA = "SQS", "Kinesis", "DynamoDB", "Kafka"
STREAMS = (KINESIS, DYNAMODB)

# SAM event types of the sources this library serves; other pull sources
# (MQ, DocumentDB) are not checked.
SAM_EVENT_KINDS = {
    "SQS": SQS,
    "Kinesis": KINESIS,
    "DynamoDB": DYNAMODB,
    "MSK": KAFKA,
    "SelfManagedKafka": KAFKA,
}

# Defaults that apply when a property is absent.
DEFAULT_LAMBDA_TIMEOUT = 3  # seconds (Lambda)
DEFAULT_VISIBILITY_TIMEOUT = 30  # seconds (SQS)
DEFAULT_RETENTION = 345600  # 4 days (SQS MessageRetentionPeriod)
DEFAULT_KINESIS_RETENTION_HOURS = 24  # Kinesis RetentionPeriodHours
DYNAMODB_STREAM_RETENTION = 24 * 3600  # DynamoDB Streams keeps records 24 hours

# What the AWS managed policies that SAM attaches for an event allow, as far
# as these rules care (AWS managed policy reference). Unknown managed
# policies allow nothing here: a rule that needs a permission then fails,
# which is the safe direction.
MANAGED_POLICIES = {
    "AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": "*",
        }
    ],
}

PSEUDO_PARAMETERS = {
    "AWS::Partition": "{partition}",
    "AWS::Region": "{region}",
    "AWS::AccountId": "{account}",
    "AWS::URLSuffix": "{urlsuffix}",
    "AWS::StackName": "{stack}",
    "AWS::StackId": "{stackid}",
}

# The property that holds a resource's physical name, when the template sets it.
NAME_PROPERTIES = {
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Lambda::Function": "FunctionName",
}


@dataclass(frozen=True)
class Violation:
    template: str
    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.template}: [{self.rule}] {self.where}: {self.message}"


class TemplateError(Exception):
    """The template does not parse, or the SAM translator rejects it."""


def check(path: str | os.PathLike) -> list[Violation]:
    """Returns the violations of the template at path, in a stable order."""
    shown = display_path(path)
    try:
        t = Template(Path(path))
    except TemplateError as e:
        return [Violation(shown, "sam-translate", "template", str(e))]
    return sorted(set(Checker(t, shown).run()), key=lambda v: (v.rule, v.where, v.message))


def display_path(path: str | os.PathLike) -> str:
    p = Path(path).resolve()
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def plain(node):
    """cfn-lint's nodes (str_node, dict_node, …) as plain Python values."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def as_list(v) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def as_int(v):
    """An integer property (YAML may give "30"), or None for an intrinsic."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"-?\d+", v.strip()):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def is_true(v) -> bool:
    return v is True or (isinstance(v, str) and v.lower() == "true")


def wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's matching: * is any run of characters, ? any one."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, value, re.IGNORECASE if ignore_case else 0) is not None


class Template:
    """A template, as written (sam) and as deployed (cfn)."""

    def __init__(self, path: Path):
        self.path = path
        self.dir = path.parent
        self.sam = self._load()
        self.cfn = self._translate()
        self.resources = self.cfn.get("Resources") or {}
        self.parameters = self.cfn.get("Parameters") or {}

    def _load(self) -> dict:
        from cfnlint.decode import decode

        try:
            tpl, matches = decode(str(self.path))
        except Exception as e:  # a file cfn-lint cannot even open
            raise TemplateError(f"cannot read: {e}") from e
        if matches or tpl is None:
            raise TemplateError("; ".join(m.message for m in matches) or "empty template")
        return plain(tpl)

    def _translate(self) -> dict:
        if "Transform" not in self.sam:
            return copy.deepcopy(self.sam)
        from samtranslator.parser import parser
        from samtranslator.public.exceptions import InvalidDocumentException
        from samtranslator.translator.translator import Translator

        # The translator needs code in S3 and mutates what it is given.
        doc = copy.deepcopy(self.sam)
        fn_globals = (doc.get("Globals") or {}).get("Function") or {}
        fn_globals.pop("CodeUri", None)
        for r in (doc.get("Resources") or {}).values():
            if isinstance(r, dict) and r.get("Type") == "AWS::Serverless::Function":
                props = r.setdefault("Properties", {})
                if props.get("PackageType") == "Image":
                    props["ImageUri"] = "123456789012.dkr.ecr.us-east-1.amazonaws.com/templatecheck:latest"
                else:
                    props["CodeUri"] = "s3://templatecheck/code.zip"
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        try:
            translator = Translator(managed_policy_map=managed_policy_map(), sam_parser=parser.Parser())
            return plain(translator.translate(sam_template=doc, parameter_values={}))
        except InvalidDocumentException as e:
            raise TemplateError("SAM translator: " + "; ".join(str(c) for c in e.causes)) from e

    # References and values.

    def rtype(self, rid) -> str | None:
        r = self.resources.get(rid)
        return r.get("Type") if isinstance(r, dict) else None

    def props(self, rid) -> dict:
        r = self.resources.get(rid)
        return (r.get("Properties") or {}) if isinstance(r, dict) else {}

    def target(self, expr, attr: str | None = None) -> str | None:
        """The logical id expr refers to (Ref, or GetAtt of attr), if it is a resource here."""
        if not isinstance(expr, dict) or len(expr) != 1:
            return None
        (fn, arg), = expr.items()
        if fn == "Ref" and attr is None and arg in self.resources:
            return arg
        if fn == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and len(parts) == 2 and parts[0] in self.resources:
                if attr is None or parts[1] == attr:
                    return parts[0]
        return None

    def name(self, rid) -> str:
        v = self.props(rid).get(NAME_PROPERTIES.get(self.rtype(rid), ""))
        return v if isinstance(v, str) else "{" + rid + "}"

    def ref(self, rid) -> str | None:
        if rid in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[rid]
        if rid in self.parameters:
            return "{parameter:" + rid + "}"
        t = self.rtype(rid)
        if t is None:
            return None
        if t == "AWS::SQS::Queue":
            return f"https://sqs.{{region}}.{{urlsuffix}}/{{account}}/{self.name(rid)}"
        if t == "AWS::SNS::Topic":
            return f"arn:{{partition}}:sns:{{region}}:{{account}}:{self.name(rid)}"
        return self.name(rid)

    def getatt(self, rid, attr) -> str | None:
        t, n = self.rtype(rid), self.name(rid)
        arn = "arn:{partition}:%s:{region}:{account}:%s"
        values = {
            "AWS::SQS::Queue": {"Arn": arn % ("sqs", n), "QueueName": n, "QueueUrl": self.ref(rid)},
            "AWS::SNS::Topic": {"TopicArn": arn % ("sns", n), "TopicName": n},
            "AWS::Kinesis::Stream": {"Arn": arn % ("kinesis", "stream/" + n)},
            "AWS::DynamoDB::Table": {
                "Arn": arn % ("dynamodb", "table/" + n),
                "StreamArn": arn % ("dynamodb", "table/" + n + "/stream/{label}"),
            },
            "AWS::S3::Bucket": {"Arn": "arn:{partition}:s3:::" + n},
            "AWS::Lambda::Function": {"Arn": arn % ("lambda", "function:" + n)},
            "AWS::IAM::Role": {"Arn": "arn:{partition}:iam::{account}:role/" + n},
        }
        return values.get(t, {}).get(attr)

    def value(self, expr) -> str | None:
        """expr as a string, with placeholders such as {region} and {Queue}
        for what is known only at deployment; None if it cannot tell."""
        if isinstance(expr, str):
            return expr
        if isinstance(expr, (int, float)) and not isinstance(expr, bool):
            return str(expr)
        if not isinstance(expr, dict) or len(expr) != 1:
            return None
        (fn, arg), = expr.items()
        if fn == "Ref" and isinstance(arg, str):
            return self.ref(arg)
        if fn == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(parts, list) and len(parts) == 2:
                return self.getatt(*parts)
            return None
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            items = [self.value(x) for x in arg[1]]
            return None if None in items or not isinstance(arg[0], str) else arg[0].join(items)
        if fn == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg + [{}])[:2] if isinstance(arg, list) else (None, {})
            if not isinstance(text, str) or not isinstance(variables, dict):
                return None
            failed = False

            def sub(m):
                nonlocal failed
                var = m.group(1)
                if var.startswith("!"):
                    return "${" + var[1:] + "}"
                if var in variables:
                    v = self.value(variables[var])
                elif "." in var:
                    v = self.getatt(*var.split(".", 1))
                else:
                    v = self.ref(var)
                if v is None:
                    failed = True
                    return ""
                return v

            out = re.sub(r"\$\{([^}]*)\}", sub, text)
            return None if failed else out
        return None

    def refers_to(self, expr, rid) -> bool:
        """Whether expr refers to resource rid anywhere (Ref, GetAtt, Sub)."""
        if isinstance(expr, list):
            return any(self.refers_to(x, rid) for x in expr)
        if isinstance(expr, str):
            return False
        if not isinstance(expr, dict):
            return False
        if len(expr) == 1:
            (fn, arg), = expr.items()
            if fn == "Ref" and arg == rid:
                return True
            if fn == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and parts and parts[0] == rid:
                    return True
            if fn == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0] if isinstance(arg, list) and arg else ""
                if isinstance(text, str) and re.search(r"\$\{" + re.escape(rid) + r"(\.[^}]*)?\}", text):
                    return True
        return any(self.refers_to(v, rid) for v in expr.values())

    # Permissions.

    def statements(self, role):
        props = self.props(role)
        for policy in as_list(props.get("Policies")):
            if isinstance(policy, dict):
                yield from as_list((policy.get("PolicyDocument") or {}).get("Statement"))
        for arn in as_list(props.get("ManagedPolicyArns")):
            managed = self.target(arn)
            if managed and self.rtype(managed) == "AWS::IAM::ManagedPolicy":
                yield from as_list((self.props(managed).get("PolicyDocument") or {}).get("Statement"))
            elif isinstance(arn, str):
                yield from MANAGED_POLICIES.get(arn.rsplit("/", 1)[-1], [])
        for rid, r in self.resources.items():
            if r.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"):
                p = r.get("Properties") or {}
                roles = as_list(p.get("Roles")) + as_list(p.get("RoleName"))
                if any(self.target(x) == role for x in roles):
                    yield from as_list((p.get("PolicyDocument") or {}).get("Statement"))

    def allows(self, role, action: str, resource: str | None) -> bool:
        """Whether an Allow statement of role grants action on resource (any
        resource when None). Deny statements and conditions are not read."""
        for s in self.statements(role):
            if not isinstance(s, dict) or s.get("Effect") != "Allow":
                continue
            actions = [a for a in as_list(s.get("Action")) if isinstance(a, str)]
            if not any(wildcard_match(a, action, ignore_case=True) for a in actions):
                continue
            if resource is None:
                return True
            for r in as_list(s.get("Resource")):
                v = self.value(r)
                if v is not None and wildcard_match(v, resource):
                    return True
        return False


def managed_policy_map() -> dict:
    """The managed policy names the SAM translator may need to resolve, from
    cfn-lint's copy of the list SAM CLI ships."""
    try:
        from cfnlint.data import Serverless
        from cfnlint.helpers import load_resource

        return load_resource(Serverless, "ManagedPolicies.json")
    except Exception:
        return {}


@dataclass
class Mapping:
    id: str
    kind: str
    props: dict
    function: str  # logical id of the AWS::Lambda::Function


class Checker:
    def __init__(self, t: Template, shown: str):
        self.t = t
        self.shown = shown
        self.out: list[Violation] = []
        self.failure_queues: dict[str, str] = {}  # queue id -> what it is
        self.sources: set[str] = set()  # queues, streams and tables the mappings read

    def report(self, rule: str, where: str, message: str):
        self.out.append(Violation(self.shown, rule, where, message))

    def run(self) -> list[Violation]:
        functions = set()
        for m in self.mappings():
            functions.add(m.function)
            self.check_response_types(m)
            if m.kind == SQS:
                self.check_sqs(m)
            else:
                self.check_stream_or_kafka(m)
        for f in sorted(functions):
            self.check_function(f)
        for q, what in sorted(self.failure_queues.items()):
            self.check_failure_alarm(q, what)
        self.check_encryption()
        self.check_build()
        self.check_outputs()
        return self.out

    def mappings(self):
        t = self.t
        sam_kinds = {}
        for fid, r in (t.sam.get("Resources") or {}).items():
            if isinstance(r, dict) and r.get("Type") == "AWS::Serverless::Function":
                for name, ev in ((r.get("Properties") or {}).get("Events") or {}).items():
                    if isinstance(ev, dict):
                        sam_kinds[fid + name] = SAM_EVENT_KINDS.get(ev.get("Type"), "other")
        for mid, r in sorted(t.resources.items()):
            if r.get("Type") != "AWS::Lambda::EventSourceMapping":
                continue
            props = r.get("Properties") or {}
            kind = sam_kinds.get(mid) or self.infer_kind(props)
            if kind == "other":
                continue
            if kind is None:
                self.report("unresolved", mid, "cannot tell the mapping's source from its EventSourceArn")
                continue
            fn = self.function_of(props.get("FunctionName"))
            if fn is None:
                self.report("unresolved", mid, "the function it invokes is not defined in this template")
                continue
            yield Mapping(mid, kind, props, fn)

    def infer_kind(self, props) -> str | None:
        if any(k in props for k in ("SelfManagedEventSource", "AmazonManagedKafkaEventSourceConfig",
                                    "SelfManagedKafkaEventSourceConfig", "Topics")):
            return KAFKA
        if "Queues" in props or "DocumentDBEventSourceConfig" in props:
            return "other"
        arn = self.t.value(props.get("EventSourceArn")) or ""
        for service, kind in ((":sqs:", SQS), (":kinesis:", KINESIS), (":dynamodb:", DYNAMODB), (":kafka:", KAFKA)):
            if service in arn:
                return kind
        return None

    def function_of(self, expr) -> str | None:
        t = self.t
        rid = t.target(expr) or t.target(expr, "Arn")
        for _ in range(3):  # an alias or a version names its function in turn
            if rid is None:
                return None
            if t.rtype(rid) == "AWS::Lambda::Function":
                return rid
            if t.rtype(rid) in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                rid = t.target(t.props(rid).get("FunctionName"))
            else:
                return None
        return None

    def role_of(self, fn) -> str | None:
        role = self.t.target(self.t.props(fn).get("Role"), "Arn")
        return role if role and self.t.rtype(role) == "AWS::IAM::Role" else None

    def partial_batch(self, fn) -> str | None:
        md = self.t.resources[fn].get("Metadata") or {}
        return md.get("PartialBatch")

    # Rules.

    def check_response_types(self, m: Mapping):
        rbif = "ReportBatchItemFailures" in as_list(m.props.get("FunctionResponseTypes"))
        where = f"{m.id} ({m.kind} mapping of {m.function})"
        marker = self.partial_batch(m.function)
        if marker is None:
            if not rbif:
                self.report("report-batch-item-failures", where,
                            "FunctionResponseTypes lacks ReportBatchItemFailures: Lambda would ignore "
                            "the function's batchItemFailures and delete (SQS) or checkpoint past "
                            "(streams, Kafka) the records it reported")
            return
        if marker != "sqsdelete":
            self.report("partial-batch-sqsdelete", where, f"unknown PartialBatch {marker!r} (only sqsdelete)")
        elif m.kind != SQS:
            self.report("partial-batch-sqsdelete", where, "PartialBatch: sqsdelete is for SQS mappings only")
        elif rbif:
            self.report("partial-batch-sqsdelete", where,
                        "the mapping has ReportBatchItemFailures: use batch.New and drop PartialBatch: "
                        "sqsdelete, or drop FunctionResponseTypes")
        else:
            queue_arn = self.t.value(m.props.get("EventSourceArn"))
            role = self.role_of(m.function)
            if queue_arn is None or role is None:
                self.report("unresolved", where, "cannot find the queue or the function's role to check "
                            "sqs:DeleteMessage")
            elif not self.t.allows(role, "sqs:DeleteMessage", queue_arn):
                self.report("delete-permission", where,
                            f"role {role} does not allow sqs:DeleteMessage on the queue, which sqsdelete "
                            "needs to delete the messages that succeeded")

    def check_sqs(self, m: Mapping):
        t = self.t
        where = f"{m.id} ({m.kind} mapping of {m.function})"
        queue = t.target(m.props.get("EventSourceArn"), "Arn")
        if queue is None or t.rtype(queue) != "AWS::SQS::Queue":
            self.report("unresolved", where, "the queue is not defined in this template, so its visibility "
                        "timeout and dead-letter queue cannot be checked")
            return
        self.sources.add(queue)
        q = t.props(queue)
        timeout = as_int(t.props(m.function).get("Timeout", DEFAULT_LAMBDA_TIMEOUT))
        window = as_int(m.props.get("MaximumBatchingWindowInSeconds", 0))
        visibility = as_int(q.get("VisibilityTimeout", DEFAULT_VISIBILITY_TIMEOUT))
        if None in (timeout, window, visibility):
            self.report("unresolved", queue, "VisibilityTimeout, Timeout or MaximumBatchingWindowInSeconds "
                        "is not a number")
        elif visibility < 6 * timeout + window:
            self.report("visibility-timeout", queue,
                        f"VisibilityTimeout {visibility} is less than 6 x {m.function}'s Timeout {timeout} "
                        f"+ MaximumBatchingWindowInSeconds {window} of {m.id} = {6 * timeout + window}: "
                        "messages would come back while Lambda still holds or retries them")

        redrive = q.get("RedrivePolicy")
        if isinstance(redrive, str):
            try:
                redrive = json.loads(redrive)
            except ValueError:
                redrive = None
        if not isinstance(redrive, dict) or "deadLetterTargetArn" not in redrive:
            self.report("dead-letter-queue", queue,
                        "no RedrivePolicy with a deadLetterTargetArn: a message that always fails comes "
                        "back until its retention period ends, then is lost")
            return
        dlq = t.target(redrive["deadLetterTargetArn"], "Arn")
        if dlq is None or t.rtype(dlq) != "AWS::SQS::Queue":
            self.report("unresolved", queue, "the dead-letter queue is not defined in this template")
            return
        self.failure_queues[dlq] = f"dead-letter queue of {queue}"
        d = t.props(dlq)
        fifo, dlq_fifo = is_true(q.get("FifoQueue")), is_true(d.get("FifoQueue"))
        if fifo != dlq_fifo:
            self.report("dead-letter-type", dlq,
                        f"{'standard' if not dlq_fifo else 'FIFO'} dead-letter queue of a "
                        f"{'FIFO' if fifo else 'standard'} queue: SQS requires the same type")
        retention = as_int(q.get("MessageRetentionPeriod", DEFAULT_RETENTION))
        dlq_retention = as_int(d.get("MessageRetentionPeriod", DEFAULT_RETENTION))
        if None in (retention, dlq_retention):
            self.report("unresolved", dlq, "MessageRetentionPeriod is not a number")
        elif fifo and dlq_retention < retention:
            self.report("dead-letter-retention", dlq,
                        f"MessageRetentionPeriod {dlq_retention} is shorter than {queue}'s {retention}")
        elif not fifo and dlq_retention <= retention:
            self.report("dead-letter-retention", dlq,
                        f"MessageRetentionPeriod {dlq_retention} is not longer than {queue}'s {retention}: "
                        "a message moved from a standard queue keeps its enqueue time, so it could expire "
                        "soon after it arrives")

    def check_stream_or_kafka(self, m: Mapping):
        t = self.t
        where = f"{m.id} ({m.kind} mapping of {m.function})"
        source = t.target(m.props.get("EventSourceArn"), "Arn") or t.target(m.props.get("EventSourceArn"), "StreamArn")
        if source:
            self.sources.add(source)

        retries = m.props.get("MaximumRetryAttempts")
        if retries is None or (as_int(retries) is not None and as_int(retries) < 0):
            what = "until the record expires from the stream" if m.kind in STREAMS else "forever"
            self.report("retry-cap", where,
                        f"MaximumRetryAttempts is {retries if retries is not None else 'not set (-1)'}: Lambda "
                        f"retries a failing batch {what}, and its {'shard' if m.kind in STREAMS else 'partition'} "
                        "waits")

        age = as_int(m.props.get("MaximumRecordAgeInSeconds", -1))
        if m.kind in STREAMS:
            if age is None or age < 0:
                self.report("record-age", where,
                            "MaximumRecordAgeInSeconds is not set (-1): records Lambda cannot deliver are "
                            "retried until they expire from the stream, and are then lost")
            else:
                retention = self.stream_retention(m.kind, source)
                if retention is not None and age >= retention:
                    self.report("record-age", where,
                                f"MaximumRecordAgeInSeconds {age} is not below the stream's retention of "
                                f"{retention} s: records would expire before Lambda gives up on them")
            self.check_iterator_age_alarm(m, source, age if age is not None and age >= 0 else None)

        if m.kind == KAFKA and "ProvisionedPollerConfig" not in m.props:
            if any(k in m.props for k in ("MaximumRetryAttempts", "MaximumRecordAgeInSeconds",
                                          "BisectBatchOnFunctionError", "DestinationConfig")):
                self.report("kafka-provisioned-mode", where,
                            "no ProvisionedPollerConfig: Lambda applies Kafka's error handling controls "
                            "(retries, record age, on-failure destination) in provisioned mode only")

        dest = ((m.props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if dest is None:
            self.report("on-failure-destination", where,
                        "no DestinationConfig.OnFailure.Destination: a batch Lambda gives up on is dropped "
                        "without a trace")
            return
        self.check_destination_permission(m, where, dest)

    def stream_retention(self, kind, source) -> int | None:
        if kind == DYNAMODB:
            return DYNAMODB_STREAM_RETENTION
        if source and self.t.rtype(source) == "AWS::Kinesis::Stream":
            hours = as_int(self.t.props(source).get("RetentionPeriodHours", DEFAULT_KINESIS_RETENTION_HOURS))
            return hours * 3600 if hours is not None else None
        return None

    def check_destination_permission(self, m: Mapping, where, dest):
        t = self.t
        value = t.value(dest)
        role = self.role_of(m.function)
        if value is None or role is None:
            self.report("unresolved", where, "cannot find the on-failure destination or the function's role "
                        "to check the permission to send to it")
            return
        if value.startswith("kafka://"):
            needs = [("kafka-cluster:WriteData", None)]
        elif ":sqs:" in value:
            needs = [("sqs:SendMessage", value)]
            queue = t.target(dest, "Arn")
            if queue and t.rtype(queue) == "AWS::SQS::Queue":
                self.failure_queues[queue] = f"on-failure destination of {m.id}"
        elif ":sns:" in value:
            needs = [("sns:Publish", value)]
        elif ":s3:::" in value:
            needs = [("s3:PutObject", value + "/failed-batch"), ("s3:ListBucket", value)]
        else:
            self.report("unresolved", where, f"unknown kind of on-failure destination {value}")
            return
        for action, resource in needs:
            if not t.allows(role, action, resource):
                self.report("destination-permission", where,
                            f"role {role} does not allow {action} on the on-failure destination {value}: "
                            "Lambda could not record the batches it gives up on (with SAM, set the "
                            "destination's Type: SQS, SNS or S3 and SAM adds the permission)")

    def check_iterator_age_alarm(self, m: Mapping, source, age):
        t = self.t
        fn_name = t.ref(m.function)
        stream_name = t.name(source) if source and t.rtype(source) == "AWS::Kinesis::Stream" else None
        for aid, alarm in self.alarms():
            ns, metric, dims = alarm.get("Namespace"), alarm.get("MetricName"), self.dimensions(alarm)
            ours = (ns == "AWS/Lambda" and metric == "IteratorAge" and dims.get("FunctionName") == fn_name) or (
                stream_name is not None and ns == "AWS/Kinesis"
                and metric == "GetRecords.IteratorAgeMilliseconds" and dims.get("StreamName") == stream_name)
            if not ours:
                continue
            threshold = alarm.get("Threshold")
            if age is None or (isinstance(threshold, (int, float)) and threshold < age * 1000):
                return
            self.report("alarm-iterator-age", aid,
                        f"Threshold {threshold} ms does not fire before MaximumRecordAgeInSeconds {age} of {m.id}")
            return
        self.report("alarm-iterator-age", f"{m.id} ({m.kind} mapping of {m.function})",
                    "no alarm on the function's IteratorAge: nobody hears that it falls behind until "
                    "records are given up on")

    def alarms(self):
        for aid, r in sorted(self.t.resources.items()):
            if r.get("Type") == "AWS::CloudWatch::Alarm":
                yield aid, r.get("Properties") or {}

    def dimensions(self, alarm) -> dict:
        return {d.get("Name"): self.t.value(d.get("Value"))
                for d in as_list(alarm.get("Dimensions")) if isinstance(d, dict)}

    def check_failure_alarm(self, queue, what):
        name = self.t.name(queue)
        for _, alarm in self.alarms():
            if (alarm.get("Namespace") == "AWS/SQS" and alarm.get("MetricName") == "ApproximateNumberOfMessagesVisible"
                    and self.dimensions(alarm).get("QueueName") == name):
                op, threshold = alarm.get("ComparisonOperator"), alarm.get("Threshold")
                if isinstance(threshold, (int, float)) and (
                        (op == "GreaterThanThreshold" and threshold < 1)
                        or (op == "GreaterThanOrEqualToThreshold" and threshold <= 1)):
                    return
        self.report("alarm-failed-messages", queue,
                    f"no alarm on ApproximateNumberOfMessagesVisible that fires at one message on this {what}: "
                    "records pile up there unseen")

    def check_function(self, fn):
        p = self.t.props(fn)
        if (p.get("TracingConfig") or {}).get("Mode") != "Active":
            self.report("tracing", fn, "Tracing is not Active")
        if (p.get("LoggingConfig") or {}).get("LogFormat") != "JSON":
            self.report("json-logs", fn, "LoggingConfig.LogFormat is not JSON")

    def check_encryption(self):
        t = self.t
        for rid, r in sorted(t.resources.items()):
            p, typ = r.get("Properties") or {}, r.get("Type")
            if typ == "AWS::SQS::Queue":
                if not (is_true(p.get("SqsManagedSseEnabled")) or p.get("KmsMasterKeyId")):
                    self.report("encryption", rid, "neither SqsManagedSseEnabled: true nor KmsMasterKeyId")
            elif typ == "AWS::SNS::Topic":
                if not p.get("KmsMasterKeyId"):
                    self.report("encryption", rid, "no KmsMasterKeyId")
            elif typ == "AWS::Kinesis::Stream":
                if (p.get("StreamEncryption") or {}).get("EncryptionType") != "KMS":
                    self.report("encryption", rid, "no StreamEncryption with EncryptionType KMS")
            elif typ == "AWS::DynamoDB::Table":
                if not is_true((p.get("SSESpecification") or {}).get("SSEEnabled")):
                    self.report("encryption", rid, "no SSESpecification with SSEEnabled: true")

    def check_build(self):
        sam = self.t.sam
        fn_globals = (sam.get("Globals") or {}).get("Function") or {}
        for fid, r in sorted((sam.get("Resources") or {}).items()):
            if not isinstance(r, dict) or r.get("Type") != "AWS::Serverless::Function":
                continue
            p = {**fn_globals, **(r.get("Properties") or {})}
            if p.get("PackageType") == "Image":
                continue
            if (r.get("Metadata") or {}).get("BuildMethod") != "makefile":
                self.report("build", fid, "Metadata.BuildMethod is not makefile")
                continue
            runtime = p.get("Runtime")
            if not (isinstance(runtime, str) and runtime.startswith("provided.")):
                self.report("build", fid, f"Runtime {runtime!r} is not a provided.* (OS-only) runtime")
            code = p.get("CodeUri")
            if not isinstance(code, str) or code.startswith("s3://"):
                self.report("build", fid, "CodeUri is not a local directory")
                continue
            makefile = self.t.dir / code / "Makefile"
            if not makefile.is_file():
                self.report("build", fid, f"no Makefile in CodeUri {code}")
            elif not re.search(r"^build-" + re.escape(fid) + r"\s*:", makefile.read_text(), re.MULTILINE):
                self.report("build", fid, f"{makefile.name} in {code} has no build-{fid} target")

    def check_outputs(self):
        t = self.t
        outputs = [o.get("Value") for o in (t.sam.get("Outputs") or {}).values() if isinstance(o, dict)]
        wanted = {fid: "function" for fid, r in (t.sam.get("Resources") or {}).items()
                  if isinstance(r, dict) and r.get("Type") in ("AWS::Serverless::Function", "AWS::Lambda::Function")}
        wanted.update({rid: "source" for rid in self.sources})
        wanted.update({rid: "queue for failures" for rid in self.failure_queues})
        for rid, what in sorted(wanted.items()):
            if not any(t.refers_to(v, rid) for v in outputs):
                self.report("outputs", rid, f"no output names this {what}")


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("\nRules:")
        for rule, what in RULES.items():
            print(f"  {rule}: {what}")
        return 0 if argv else 2
    violations = [v for path in argv for v in check(path)]
    for v in violations:
        print(v)
    if violations:
        print(f"templatecheck: {len(violations)} violation(s) in {len(argv)} template(s)", file=sys.stderr)
        return 1
    print(f"templatecheck: {len(argv)} template(s), every rule kept")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
