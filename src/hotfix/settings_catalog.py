"""Every setting hotfix knows, in the order ``hotfix init`` writes them.

Keys are ``section.name``. Each subsystem owns one section; add a setting here, never read a
file or the environment anywhere else (``hotfix.config`` resolves them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotfix.domain.checks.scope import DEFAULT_FORBIDDEN_KINDS, DEFAULT_TEST_PATHS
from hotfix.domain.record.triage import DEFAULT_ROUTE_RULES, DEFAULT_SEVERITY_RULES
from hotfix.domain.release.versions import DEFAULT_SCHEME, DEFAULT_TAG_PATTERN
from hotfix.domain.rollout.plan import DEFAULT_STEPS


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    help: str
    env: str | None = None

    @property
    def kind(self) -> type:
        return type(self.default)


CATALOG: tuple[Setting, ...] = (
    Setting(
        "database.url",
        "",
        "SQLAlchemy URL of the hotfix database. Empty: SQLite at .hotfix/hotfix.db in the repo.\n"
        "Teams use PostgreSQL: postgresql+psycopg://user@host/db",
        env="HOTFIX_DATABASE_URL",
    ),
    Setting("records.prefix", "HF", "Prefix of hotfix ids (HF-1, HF-2, ...)."),
    Setting(
        "testing.failpoint",
        "",
        "Fault injection for hotfix's own tests: the process kills itself (SIGKILL) right\n"
        "after writing the event KIND[:STEP[:PHASE]][@N], e.g. git:pick:begin. Never set it\n"
        "in production. tests/cli/test_fault_injection.py",
        env="HOTFIX_FAILPOINT",
    ),
    # -- delivery metrics (docs/metrics.md) ---------------------------------------------
    Setting("metrics.sprint_start", "2026-01-05",
            "The first day of a sprint (any one): sprints are counted from it."),
    Setting("metrics.sprint_days", 14, "How many days a sprint lasts."),
    Setting(
        "project.kind",
        "service",
        "What a code hotfix of this project is: service (deployed and verified in production)\n"
        "or library (released, published, verified against the published artifact).\n"
        "Content changes and roll-back-first records have their own kinds. docs/lifecycle.md",
    ),
    Setting(
        "approvals.approvers",
        [],
        "Emails allowed to approve hotfixes and override guards. Empty: anyone but the\n"
        "requester may approve, and nobody may override a guard.",
        env="HOTFIX_APPROVERS",
    ),
    Setting(
        "approvals.required",
        {"SEV1": 1, "SEV2": 1, "SEV3": 1, "SEV4": 1},
        "Approvals needed before work starts, per severity.",
    ),
    Setting(
        "triage.severity_rules",
        DEFAULT_SEVERITY_RULES,
        "Severity rubric: every matching rule contributes its reason; the most severe wins.\n"
        "Conditions: an answer = a value, or a string like \">= 0.5\". See docs/triage.md.",
    ),
    Setting(
        "triage.route_rules",
        DEFAULT_ROUTE_RULES,
        "Route rubric: the first matching rule with a route wins; route = \"\" only adds a reason.",
    ),
    Setting(
        "content.templates",
        ["banner-text", "product-image", "stock-level", "shipping-deadline"],
        "Pre-approved content templates. A content change without one goes to engineering.",
    ),
    Setting(
        "content.checkout_paths",
        ["/checkout", "/checkout/**", "/cart/pay", "/payment/**"],
        "Site path globs of checkout and payment: a content zone appearing on any of them is\n"
        "refused at hotfix content sync, whatever it is called (docs/content.md).",
    ),
    Setting(
        "content.approvals",
        {},
        "Approvals a content change needs, per zone name or glob, e.g. {\"cart-banner\" = 2}\n"
        "(a zone's own name wins, else the highest matching glob; unnamed zones: as\n"
        "approvals.required gives for the record's severity). Pinned into each draft: a later\n"
        "change of this setting leaves a drafted change as it was (docs/content.md).",
    ),
    Setting(
        "content.approver_roles",
        ["approver"],
        "Team-server roles whose members may approve a content change (admins always may),\n"
        "e.g. [\"approver\", \"marketer\"] to let a second marketer approve; never its\n"
        "requester, never twice by one person. A local record: [approvals] approvers decides.",
    ),
    Setting(
        "content.max_age",
        5,
        "Seconds a site or CDN may cache GET /content/v1/zones/ZONE (Cache-Control max-age);\n"
        "it revalidates with the ETag after that.",
    ),
    Setting(
        "content.public_url",
        "",
        "The team server's address as a site on another origin reaches it (or the CDN that\n"
        "proxies /content/), e.g. https://hotfix.shop.example: the public zone JSON and its\n"
        "fragment then name uploaded images as {public_url}/content/v1/images/NAME. Empty:\n"
        "relative (/content/v1/images/NAME), for a site on the server's own origin.",
    ),
    # -- record kinds: close requirements and optional guards (docs/lifecycle.md) --------
    Setting(
        "close.require",
        {},
        "Documentation a record must have before it closes, per record kind (service,\n"
        "library, content, flag, rollback), filled by hotfix doc HF-N (--field NAME=... or\n"
        "$EDITOR):\n"
        "e.g. { service = [\"root_cause\", \"customer_impact\", \"follow_up\"] }. A rejected\n"
        "record closes without it. Default: nothing required; hotfix init starts a new project\n"
        "with root_cause, what_was_fixed, customer_impact and follow_ups for service,\n"
        "library and rollback records.",
    ),
    Setting(
        "guards.enable",
        {},
        "Optional guards to switch on, per record kind. Today one: backout-plan on the\n"
        "service kind's deploy (no deploy without a back-out plan):\n"
        "{ service = [\"backout-plan\"] }. Default: none, so no deploy is refused for want of one.",
    ),
    # -- release lines and the git release engine (docs/git-engine.md) --------------------
    Setting(
        "lines.tag_pattern",
        DEFAULT_TAG_PATTERN,
        "Regular expression of a release tag, with the named groups major and minor, and\n"
        "optionally patch and pre (a pre-release). Default: v1.2.3, 1.2.3, two-part and\n"
        "calendar versions (24.1, 2024.10: patch 0) and pre-releases (1.3.0rc1, v2.0.0-beta.2).",
    ),
    Setting(
        "lines.branch_patterns",
        ["release/{line}", "{line}", "{line}.x", "stable/{line}.x"],
        "Names of maintenance branches; {line} stands for MAJOR.MINOR (e.g. release/1.2).",
    ),
    Setting(
        "lines.floating_branches",
        ["stable"],
        "Branches that float from line to line (a 'stable' merged forward). \"stable\" serves\n"
        "the line of its newest release tag (git describe --tags); \"stable=3.1\" names it.\n"
        "It is that line's branch when the line has no maintenance branch of its own.",
    ),
    Setting(
        "lines.mainline",
        "",
        "The mainline branch every fix must reach. Empty: the remote's default branch\n"
        "(origin/HEAD), else main, else master.",
    ),
    Setting(
        "lines.support",
        {},
        "Support matrix, line -> true | false | last supported day. Quote the line names:\n"
        '"1.0" = false, "1.1" = "2026-12-31", "1.2" = true.\n'
        "Lines not listed follow lines.support_default and lines.support_months.",
    ),
    Setting("lines.support_default", True, "Whether lines not in lines.support are supported."),
    Setting(
        "lines.support_months",
        18,
        "A line not in lines.support is supported while its newest release (tag date) is\n"
        "younger than this many months; a line without a release yet is supported. 0: no age\n"
        "limit.",
    ),
    Setting(
        "lines.version_scheme",
        DEFAULT_SCHEME,
        "How the next patch is numbered: X.Y.Z+N (N = 1: 1.1.0 -> 1.1.1). The number is\n"
        "reserved above every tag of the line, local or remote, and every hotfix/ branch.",
    ),
    Setting("lines.remote", "origin", "The remote whose tags reserve versions; --push goes there."),
    Setting(
        "lines.check_remote_tags",
        True,
        "Ask the remote for its tags and reservations (git ls-remote) before reserving a\n"
        "version, and publish each reservation there (a create-only push).",
    ),
    Setting(
        "lines.version_files",
        ["pyproject.toml", "package.json", "Cargo.toml", "VERSION", "*/__init__.py",
         "*/_version.py", "src/*/__init__.py", "src/*/_version.py"],
        "Tracked files (glob patterns, from the repository root) whose declared version a\n"
        "release bumps. Files without a version declaration are left alone. The lock file\n"
        "beside a bumped manifest (uv.lock, package-lock.json, Cargo.lock) is bumped too.",
    ),
    Setting("lines.changelog", "CHANGELOG.md",
            "The release notes file a release adds to (Markdown or reStructuredText, written\n"
            "in its own heading style). When the project has no such file but a usual one\n"
            "(CHANGES.rst, HISTORY.md, NEWS.rst, …), that one. A towncrier project\n"
            "([tool.towncrier]) gets news fragments compiled by towncrier build instead."),
    Setting(
        "backport.check",
        True,
        "Check a port before hotfix backport --merge lands it: the check pipeline of hotfix\n"
        "check (scope guard, targeted tests, full suite) on the port's head; a failure leaves\n"
        "the target ported, with the reason. Off only for a project without tests.",
    ),
    Setting(
        "backport.changelog",
        "auto",
        "The entry hotfix backport --merge writes on the mainline, once the fix is there, so\n"
        "the next regular release lists it: \"towncrier\" (a news fragment +HF-N-<sha>.bugfix\n"
        "in its fragment directory), \"unreleased\" (an item in the changelog's Unreleased\n"
        "section, under Fixed in a Keep a Changelog file), \"none\", or \"auto\": towncrier\n"
        "for a towncrier project, else unreleased when the mainline has a changelog.\n"
        "Written once: an entry the mainline lists already is never added again.",
    ),
    Setting(
        "release.land",
        "merge",
        "How a release lands on its line's maintenance branch (9.0.x, release/9.0): \"merge\"\n"
        "fast-forwards it to the tagged release commit, or makes a merge commit when the\n"
        "branch moved on since the hotfix started; \"ff-only\" only fast-forwards; \"off\"\n"
        "leaves it to hotfix backport HF-N --to X.Y --merge. A checkout with changes is never\n"
        "touched.",
    ),
    Setting(
        "release.commands",
        [],
        "Commands a release runs in the hotfix's worktree after bumping the version and\n"
        "writing the notes, before the release commit, e.g. [\"uv lock\"] or\n"
        "[[\"npm\", \"install\", \"--package-lock-only\"]]: each a string (split like a\n"
        "shell would, no shell runs) or an argument list; {tag}, {version}, {python} are\n"
        "substituted. What they change in tracked files joins the release commit; a failure\n"
        "stops the release before anything is committed.",
    ),
    # -- release: publishing a library (project.kind = "library") ---------------------------
    Setting(
        "release.publish_command",
        [],
        "How a library is published: an argument list that `hotfix publish HF-N` runs in the\n"
        "hotfix's worktree at its release tag, e.g. [\"./publish.sh\", \"{tag}\"]. {tag},\n"
        "{version} and {python} (this Python) are substituted; HOTFIX_ID, HOTFIX_TAG and\n"
        "HOTFIX_VERSION are set. Exit 0 is published. Empty: hotfix publish refuses.",
    ),
    Setting("release.publish_timeout", 900.0,
            "Seconds the publish command may run; past it, it is stopped and the publish\n"
            "recorded as failed."),
    # -- audit (hotfix audit / contains) ---------------------------------------------------
    Setting(
        "audit.release_only_globs",
        ["CHANGELOG*", "CHANGES*", "HISTORY*", "NEWS*", "RELEASE*NOTES*", "VERSION",
         "_version.py", "__version__.py", ".github/workflows/**", ".gitlab-ci.yml",
         ".circleci/**", ".pre-commit-config.yaml"],
        "Files that only do release bookkeeping (changelogs, version files, CI pins). A line\n"
        "commit touching only these is release_only, never missing. A glob without '/'\n"
        "matches a file name at any depth; '**' spans directories.",
    ),
    Setting(
        "audit.version_files",
        ["pyproject.toml", "package.json", "package-lock.json", "setup.cfg", "setup.py",
         "Cargo.toml", "Cargo.lock", "__init__.py", "version.py", "*.gemspec"],
        "Files that hold a version next to code or dependencies. A change to them is\n"
        "release_only when every changed line sets a version (version = \"1.1.1\").",
    ),
    Setting(
        "audit.subject_fallback",
        True,
        "When neither a trailer nor the patch-id matches, accept a mainline commit with the\n"
        "same PR number (#123), or the same subject and a common file (a backport whose diff\n"
        "had to change). A revert only matches a revert; release commits never match.",
    ),
    Setting(
        "audit.release_subjects",
        [],
        "More regular expressions (matched against the whole subject, case-insensitive) of\n"
        "release commits, besides the built-in ones: 'Prepare release version 8.3.5',\n"
        "'Release 1.2.3', 'Bump version', 'Start version 3.1.3', 'Back to dev'. A line commit\n"
        "with such a subject that matches nothing on the mainline is release_only.",
    ),
    # ── judge: the canary judge (docs/judge.md) ──────────────────────────────────────────
    Setting(
        "judge.alpha",
        0.05,
        "Chance of a false rollback (and of a false promotion) over the whole canary, however\n"
        "often the judge looks. Split across metrics by judge.weights.",
    ),
    Setting(
        "judge.error_margin",
        0.5,
        "Promote only once the canary's error rate is shown below (1 + margin) x the baseline's.",
    ),
    Setting(
        "judge.error_floor",
        0.001,
        "... or shown below this absolute error rate (lets error-free services promote). 0: off.",
    ),
    Setting(
        "judge.user_floor",
        0.01,
        "A flag rollout's error floor: promote once the share of the canary's users who met\n"
        "a failure is shown below it (or the ratio below 1 + error_margin). 0: off.",
    ),
    Setting(
        "judge.latency_tolerance",
        0.1,
        "Promote only once the canary's typical (geometric-mean) latency is shown below\n"
        "(1 + tolerance) x the baseline's.",
    ),
    Setting(
        "judge.weights",
        {"errors": 0.7, "latency": 0.25, "tail": 0.05},
        "Shares of alpha for the regression (rollback) tests of each metric; 0 turns a metric\n"
        "off. A bigger share catches that metric's regressions sooner and the others' later\n"
        "(the false-rollback rate stays alpha); see docs/judge.md.",
    ),
    Setting(
        "judge.burn_in",
        20,
        "Latencies per version before the latency test starts (the variance and the cap are\n"
        "estimated from them).",
    ),
    Setting(
        "judge.winsor_quantile",
        0.99,
        "Log-latency is capped at this quantile of the baseline's burn-in (robustness).",
    ),
    Setting(
        "judge.tail_quantile",
        0.95,
        "A request is slow when slower than this quantile of the baseline's first\n"
        "judge.tail_burn_in latencies. Slow requests roll back; promotion does not wait on them.",
    ),
    Setting(
        "judge.tail_burn_in",
        400,
        "Baseline latencies the slow threshold is estimated from (the tail test starts after\n"
        "them; more is a steadier threshold).",
    ),
    Setting(
        "judge.block",
        100,
        "Requests per block: errors, slow requests and latency are compared within blocks of\n"
        "consecutive requests, so load that changes over time is no evidence (the count\n"
        "tests' blocks grow from 10 requests to this size).",
    ),
    Setting(
        "judge.srm_alpha",
        0.001,
        "Level of the sample-ratio check; a mismatch withholds promotion (never rolls back).",
    ),
    # ── deploy: the back-out plan and the backup before a deploy (docs/rollout.md) ────────
    Setting(
        "deploy.backup_command",
        [],
        "Runs before every deploy's canary starts (empty: no backup), e.g.\n"
        '["pg_dump", "-Fc", "-f", "{output}", "shop"]. {output} (a new file under\n'
        "deploy.backup_dir), {key}, {version} and {python} are substituted. Its exit code,\n"
        "location, size and SHA-256 go on the record; a failure stops the deploy unless an\n"
        "approver overrides (hotfix deploy HF-N --override \"why\").",
    ),
    Setting("deploy.backup_timeout", 600.0,
            "Seconds the backup may take before it is stopped (and the deploy with it)."),
    Setting("deploy.backup_dir", ".hotfix/backups",
            "Where {output} files go, relative to the repository (or absolute)."),
    Setting("deploy.backout_dry_start", True,
            "hotfix backout starts one instance of the release to return to, health-checks\n"
            "it and stops it, to prove it deployable now."),
    Setting("deploy.irreversible_kinds", ["migrations"],
            "Scope-guard file kinds (scope.forbidden_kinds) that make a fix hard to back out:\n"
            "its back-out plan needs an approver's --acknowledge of how to back it out."),
    # ── rollout: canary deploys (docs/rollout.md) ─────────────────────────────────────────
    Setting(
        "rollout.steps",
        DEFAULT_STEPS,
        "The plan: canary traffic weight (percent) per step. A step ends once the canary\n"
        "served min_requests during it and bake_seconds passed; gate = true waits for\n"
        "`hotfix deploy HF-N --approve-gate`. The last step must be 100 (the promotion) and\n"
        "is reached only when the judge shows every metric within tolerance.",
    ),
    Setting("rollout.max_wait_seconds", 600.0,
            "How long past its bake time a step may wait (for traffic, or for the judge)\n"
            "before the rollout is inconclusive."),
    Setting("rollout.on_inconclusive", "pause",
            "What an inconclusive rollout does: pause (canary keeps its weight, a person\n"
            "decides) or rollback."),
    Setting("rollout.poll_seconds", 1.0, "How often the controller reads metrics and judges."),
    Setting("rollout.instances", 2, "Instances started per version (local target)."),
    Setting("rollout.target", "local",
            "Where versions run: local (processes from a git worktree of the tag) or command\n"
            "(rollout.deploy_command)."),
    Setting("rollout.router", "builtin",
            "How traffic is split: builtin (asyncio proxy), nginx, or command\n"
            "(rollout.deploy_command is called with each weight)."),
    Setting("rollout.metrics", "router",
            "Where request outcomes come from: router (what the router saw), prometheus\n"
            "(each instance's /metrics, scraped by hotfix), or the team's monitoring:\n"
            "prometheus-api (PromQL over its HTTP API), datadog or newrelic, read in\n"
            "windows of rollout.monitor.step_seconds (docs/integrations.md)."),
    Setting("rollout.listen", "127.0.0.1:8080", "Address the router serves production on."),
    Setting("rollout.admin", "127.0.0.1:8081", "Admin address of the builtin router (loopback)."),
    Setting("rollout.sticky_header", "",
            "Request header whose value pins a user to one version (empty: no stickiness)."),
    Setting("rollout.sticky_cookie", "", "Cookie whose value pins a user to one version."),
    Setting("rollout.upstream_timeout", 10.0,
            "Seconds the builtin router gives an instance for its whole response. Past it\n"
            "the client gets 504 at once and the request counts as an error of its version,\n"
            "so a hung canary is rolled back like a failing one."),
    Setting("rollout.drain_seconds", 5.0,
            "After the canary's weight goes to 0, how long its in-flight requests may take\n"
            "before its instances are stopped."),
    Setting("rollout.deploy_command", [],
            "The team's deploy script for target/router = command, e.g.\n"
            "[\"./deploy.sh\", \"{action}\", \"{version}\", \"{weight}\"]; action is start,\n"
            "weight or stop; weight is the version's percent of traffic."),
    Setting("rollout.local.command", ["{python}", "-m", "shop.server", "--port", "{port}"],
            "Command that serves the app, run in a worktree of the tag. {port}, {host} and\n"
            "{python} (this Python) are substituted."),
    Setting("rollout.local.health_path", "/health",
            "Path that must answer 2xx before an instance gets traffic."),
    Setting("rollout.local.health_timeout", 20.0, "Seconds an instance has to become healthy."),
    Setting("rollout.local.stop_timeout", 10.0,
            "Seconds between SIGTERM and SIGKILL when stopping an instance."),
    Setting("rollout.nginx.binary", "nginx", "The nginx executable (router = nginx)."),
    Setting("rollout.nginx.client_keepalive", 0,
            "Seconds nginx keeps an idle client connection open. Every weight change is a\n"
            "graceful reload, which closes idle kept-alive connections: a client that sends on\n"
            "one just then sees an error unless it retries. 0 (no client keep-alive) keeps a\n"
            "rollout free of such errors; raise it when your clients retry idempotent requests."),
    Setting("rollout.prometheus.requests", "http_requests_total",
            "Counter of requests, labelled by status code (metrics = prometheus)."),
    Setting("rollout.prometheus.latency", "http_request_duration_seconds",
            "Histogram of request latency in seconds (metrics = prometheus)."),
    Setting("rollout.prometheus.status_label", "status",
            "Label of the request counter holding the status code."),
    Setting("rollout.prometheus.path", "/metrics", "Path scraped on each instance."),
    Setting("rollout.monitor.step_seconds", 15.0,
            "Monitoring sources: the length of each window read (one interval for the judge;\n"
            "windows are aligned to multiples of it)."),
    Setting("rollout.monitor.lag_seconds", 30.0,
            "Monitoring sources: how far behind now the newest window ends, so the system\n"
            "has ingested it (at least the scrape interval for Prometheus)."),
    Setting("rollout.prometheus.url", "http://127.0.0.1:9090",
            "metrics = prometheus-api: the Prometheus server whose HTTP API is queried."),
    Setting("rollout.prometheus.version_label", "version",
            "metrics = prometheus-api: the label holding the version (tag) of a series."),
    Setting("rollout.prometheus.selector", "",
            "metrics = prometheus-api: more label matchers, e.g. job=\"shop\",env=\"prod\"."),
    Setting("rollout.prometheus.token_env", "PROMETHEUS_TOKEN",
            "metrics = prometheus-api: the variable holding a bearer token, if Prometheus\n"
            "needs one (unset: no Authorization header)."),
    Setting("rollout.datadog.url", "https://api.datadoghq.com",
            "metrics = datadog: the API of your Datadog site (e.g. https://api.datadoghq.eu)."),
    Setting("rollout.datadog.requests", "trace.http.request.hits",
            "metrics = datadog: the count metric of requests."),
    Setting("rollout.datadog.errors", "trace.http.request.errors",
            "metrics = datadog: the count metric of failed requests."),
    Setting("rollout.datadog.version_tag", "version",
            "metrics = datadog: the tag holding the version (tag) of a point."),
    Setting("rollout.datadog.scope", "",
            "metrics = datadog: more tags every query is filtered by, e.g. service:shop,env:prod."),
    Setting("rollout.datadog.api_key_env", "DD_API_KEY",
            "metrics = datadog: the variable holding the API key (never stored)."),
    Setting("rollout.datadog.app_key_env", "DD_APP_KEY",
            "metrics = datadog: the variable holding the application key (never stored)."),
    Setting("rollout.newrelic.url", "https://api.newrelic.com",
            "metrics = newrelic: NerdGraph's host (https://api.eu.newrelic.com in the EU)."),
    Setting("rollout.newrelic.account", 0, "metrics = newrelic: the account id queried."),
    Setting("rollout.newrelic.event", "Transaction", "metrics = newrelic: the event type."),
    Setting("rollout.newrelic.facet", "tags.version",
            "metrics = newrelic: the attribute holding the version (tag), faceted on."),
    Setting("rollout.newrelic.where", "",
            "metrics = newrelic: a further NRQL condition, e.g. appName = 'shop'."),
    Setting("rollout.newrelic.ceiling_seconds", 2.0,
            "metrics = newrelic: the latency histogram's top; slower requests share one bucket."),
    Setting("rollout.newrelic.buckets", 40, "metrics = newrelic: the histogram's buckets."),
    Setting("rollout.newrelic.token_env", "NEW_RELIC_API_KEY",
            "metrics = newrelic: the variable holding a user API key (never stored)."),
    Setting("rollout.flag.targets", [],
            "host:port of the app instances whose /metrics the judge of a flag rollout scrapes\n"
            "(deploy --via flag:KEY). Empty: production's live instances."),
    Setting("rollout.flag.users", "flag_users_total",
            "Counter of users (targeting keys) first served, labelled by flag and variant;\n"
            "each user counted once (docs/flags.md)."),
    Setting("rollout.flag.failed_users", "flag_failed_users_total",
            "Counter of users who met their first failure, labelled by flag and variant."),
    Setting("rollout.flag.slow_users", "flag_slow_users_total",
            "Counter of users whose first request slower than the app's threshold came,\n"
            "labelled by flag and variant (the latency metric of a flag rollout, docs/flags.md).\n"
            "Empty: latency is not judged in flag rollouts; set but not exported: no latency\n"
            "data, and the judge never promotes."),
    Setting("rollout.flag.variant_label", "variant",
            "Label holding the variant on the app's counters in a flag rollout."),
    # ── verify: smoke checks after promotion (docs/rollout.md) ─────────────────────────────
    Setting(
        "verify.smoke",
        [{"method": "GET", "path": "/health", "status": 200, "match": ""}],
        "Smoke checks run by `hotfix verify` against production: method, path, expected\n"
        "status, text the body must contain (match), optional JSON body (json). A library is\n"
        "never deployed: its verify runs only the bug's own command.",
    ),
    Setting("verify.base_url", "",
            "Where production answers. Empty: the live router (rollout.listen)."),
    Setting("verify.timeout", 10.0, "Seconds each check may take."),
    Setting(
        "verify.bug_checks",
        {},
        "Named bug checks, run by `hotfix verify HF-N --bug-check NAME`: a command\n"
        "(exit 0 = fixed) or one request on production, e.g.\n"
        "[verify.bug_checks.eu-checkout] command = [\"pytest\", \"tests/test_eu.py\"]\n"
        "or path = \"/checkout\", method, status, match, json. The record keeps the name;\n"
        "a command is only ever read from here or the command line, never from the record.",
    ),
    # ── notify: who hears what, and how it is delivered (docs/notifications.md) ────────────
    Setting(
        "notify.channels",
        {},
        "Named places to tell, each a table with a type: webhook (url, secret_env: the\n"
        "environment variable holding its Standard Webhooks secret, whsec_…), slack (url or\n"
        "url_env: an incoming webhook), email (to = [addresses], over notify.smtp.*), e.g.\n"
        "[notify.channels.oncall] type = \"slack\" url_env = \"HOTFIX_SLACK_ONCALL\"",
    ),
    Setting(
        "notify.routes",
        [],
        "Who hears what: [[notify.routes]] on = [event kinds, or \"*\"], severity = [SEV1, …]\n"
        "(optional: any), to = [channel names]. Kinds: open, triage, approve, start, check,\n"
        "release, deploy, promote, rollback, verify, close, … and status (the updates\n"
        "notify.status_every sends), e.g. on = [\"verify\"] to = [\"stakeholders\"].",
    ),
    Setting(
        "notify.status_every",
        {"SEV1": "30m", "SEV2": "2h"},
        "While a record of these severities is open (not yet verified, closed, rejected or\n"
        "deferred), a status notice goes to the routes on \"status\" this often after its\n"
        "triage.",
    ),
    Setting("notify.dashboard_url", "",
            "Base URL of the dashboard; notices link to <url>/hotfixes/HF-N. Empty: no link."),
    Setting("notify.timeout", 10.0,
            "Seconds a receiver may take to answer; past it the attempt fails and is retried."),
    Setting("notify.backoff_seconds", 10.0,
            "Wait before the first retry; doubled each attempt, with jitter (half to all of it)."),
    Setting("notify.backoff_max_seconds", 900.0, "The longest wait between two attempts."),
    Setting("notify.max_attempts", 30,
            "Attempts before a notice becomes a dead letter (`hotfix notify retry` revives it).\n"
            "The defaults keep retrying for three hours or more."),
    Setting("notify.smtp.host", "", "SMTP server for email channels."),
    Setting("notify.smtp.port", 587, "SMTP port."),
    Setting("notify.smtp.starttls", True, "Upgrade the SMTP connection with STARTTLS."),
    Setting("notify.smtp.sender", "", "The From address of notices sent by email."),
    Setting("notify.smtp.username", "", "SMTP login (empty: none)."),
    Setting("notify.smtp.password_env", "HOTFIX_SMTP_PASSWORD",
            "The environment variable holding the SMTP password (when a username is set)."),
    # -- checks: scope guard, impact analysis, test runs (issue 4) ---------------------------
    Setting("scope.max_files", 10, "Most files a hotfix may change (rule max-files)."),
    Setting("scope.max_lines", 200, "Most lines a hotfix may add + delete (rule max-lines)."),
    Setting(
        "scope.forbidden_paths",
        ["checkout/**", "payments/**"],
        "Globs a hotfix must not touch (rule forbidden-path). `**` spans directories;\n"
        "a pattern without `/` matches a file name at any depth.",
    ),
    Setting(
        "scope.forbidden_kinds",
        DEFAULT_FORBIDDEN_KINDS,
        "Kinds of change a hotfix must not contain, kind = [globs] (rule forbidden-kind:KIND).",
    ),
    Setting(
        "scope.require_test",
        True,
        "A changed or added test must come with the fix (rule test-required), unless waived\n"
        "with --waive-test \"reason\".",
    ),
    Setting("scope.test_paths", DEFAULT_TEST_PATHS, "Globs of test files (for test-required)."),
    Setting(
        "impact.test_files",
        ["test_*.py", "*_test.py"],
        "File-name globs of test modules (pytest's python_files).",
    ),
    Setting(
        "impact.source_roots",
        ["src", ""],
        "Directories Python imports resolve from (\"\" = the repository root).",
    ),
    Setting(
        "impact.widen",
        ["setup.py", "setup.cfg", "pyproject.toml", "tox.ini", "pytest.ini", "noxfile.py",
         "requirements*.txt", "constraints*.txt", "*.lock", "Pipfile"],
        "Changes that cannot be analysed: any of these selects every test, and says why.\n"
        "(A changed conftest.py selects every test below it.)",
    ),
    Setting(
        "impact.file_rules",
        [{"glob": g, "tests": []} for g in ("*.md", "*.rst", "docs/**", "LICENSE*", "CHANGELOG*",
                                           "CHANGES*", ".github/**", ".gitignore", "AUTHORS*")],
        "Non-Python files → the tests they affect: { glob = \"templates/**\", tests =\n"
        "[\"tests/test_views.py\"] }. tests = [] means none. A non-Python file matching no rule\n"
        "selects every test.",
    ),
    Setting(
        "impact.max_map_drift",
        200,
        "Use a coverage map recorded on another commit only if at most this many files\n"
        "changed between that commit and the base; otherwise fall back to static analysis.",
    ),
    Setting(
        "check.test_command",
        ["python", "-m", "pytest"],
        "The project's test command; a leading \"python\" is the check environment's Python.\n"
        "Targeted runs and progress need a pytest command.",
    ),
    Setting("check.timeout_seconds", 1800, "Per-run time limit; a run past it is killed and "
            "recorded as timed out.", env="HOTFIX_CHECK_TIMEOUT"),
    Setting("check.retry_failed", True, "Retry failed tests once; passing on retry = flaky "
            "(recorded, never hidden)."),
    Setting(
        "check.requirements",
        ["requirements*.txt", "requirements/*.txt"],
        "Requirement files installed into the check environment (globs from the repo root).",
    ),
    Setting(
        "check.extras",
        ["test", "tests", "testing", "dev"],
        "pyproject optional-dependency extras / dependency groups installed for tests.",
    ),
    Setting(
        "check.python",
        "",
        "The interpreter the check environment is built from (a path or a command on PATH,\n"
        "e.g. ~/.pyenv/versions/3.8.18/bin/python). Empty: the Python running hotfix.",
    ),
    Setting(
        "check.venv",
        "",
        "The project's own virtualenv to test in instead of building one (relative to the repo\n"
        "root); used as it is and never changed: each check adds a throw-away overlay.",
    ),
    Setting(
        "check.install_project",
        "editable",
        "How each check installs the project into its overlay, as CI does: editable\n"
        "(pip install --no-deps -e .), regular (pip install --no-deps .) or none.",
    ),
    Setting(
        "check.setup",
        [],
        "A command run in the check's worktree before the tests, in the check environment\n"
        "(a leading \"python\" is its Python), e.g. [\"make\", \"build\"]. Empty: none.",
    ),
    Setting(
        "check.targeted_max_share",
        0.8,
        "Skip the targeted stage when impact selects more than this share of the suite: the\n"
        "full suite runs those tests anyway.",
    ),
    # -- the team's CI as the check's test runner (docs/integrations.md) ------------------
    Setting(
        "check.backend",
        "local",
        "Where hotfix check runs the tests: local (here, targeted then the suite), or the\n"
        "team's pipeline: github-actions, jenkins, circleci (the hotfix branch is pushed to\n"
        "lines.remote and the pipeline's run and JUnit report decide).",
    ),
    Setting("ci.url", "", "The CI system's API. Empty: https://api.github.com or\n"
                          "https://circleci.com/api/v2; Jenkins needs its own URL."),
    Setting("ci.token_env", "", "The environment variable holding the CI token (never stored).\n"
                                "Empty: GITHUB_TOKEN, JENKINS_API_TOKEN or CIRCLECI_TOKEN."),
    Setting("ci.user_env", "JENKINS_USER", "Jenkins: the variable holding the API user."),
    Setting("ci.github_repo", "", "GitHub Actions: the repository, OWNER/NAME."),
    Setting("ci.github_workflow", "hotfix-check.yml",
            "GitHub Actions: the workflow (file name or id) with on: workflow_dispatch."),
    Setting("ci.github_artifact", "junit",
            "GitHub Actions: the run's artifact holding its JUnit XML files."),
    Setting("ci.jenkins_job", "", "Jenkins: the job (folder/name), parameterised BRANCH, SHA."),
    Setting("ci.circleci_project", "", "CircleCI: the project slug, e.g. gh/ORG/REPO."),
    Setting("ci.timeout_seconds", 3600.0, "How long a CI run may take before it is a failure."),
    Setting("ci.start_timeout_seconds", 300.0,
            "How long the pipeline may take to start before it is a failure."),
    Setting("ci.poll_seconds", 10.0, "How often hotfix asks the CI system about its run."),
    Setting("server.listen", "127.0.0.1:8600",
            "Where `hotfix serve` listens (host:port). TLS is the proxy's job: docs/server.md.",
            env="HOTFIX_SERVER_LISTEN"),
    Setting("server.project", "default",
            "The project this repository is on the team server (its HF numbers and roles).",
            env="HOTFIX_PROJECT"),
    Setting("server.trusted_proxies", [],
            "Addresses (or networks, 10.0.0.0/8) of the single sign-on proxies whose identity\n"
            "header the server trusts. Empty: the header is never trusted.",
            env="HOTFIX_TRUSTED_PROXIES"),
    Setting("server.identity_header", "X-Forwarded-Email",
            "The header a trusted proxy names the signed-in user's email in."),
    Setting("server.rate_limit", 600,
            "Requests per minute one token may make; more get 429 Too Many Requests."),
    Setting("server.login_rate_limit", 20,
            "Failed sign-ins (bad tokens) per minute from one address before it gets 429."),
    Setting("server.signing_key", "",
            "The server's Ed25519 key file (PKCS#8 PEM, mode 0600) that signs every record's\n"
            "head; keep it outside the database and its backups. Empty: .hotfix/server-\n"
            "signing.key in the server's directory, created on first start.",
            env="HOTFIX_SIGNING_KEY"),
    Setting("server.url", "",
            "The team server this CLI acts through (hotfix login URL sets it). Empty: local.",
            env="HOTFIX_SERVER"),
    Setting("server.token", "",
            "The API token for server.url (hotfix login keeps it in your config directory,\n"
            "mode 0600). Set it through the environment only, never in hotfix.toml.",
            env="HOTFIX_TOKEN"),
    Setting("server.timeout", 30.0,
            "Seconds the CLI waits for the team server per request before retrying."),
    Setting("jobs.runner", "auto",
            "Who runs the server's background jobs: worker (`hotfix worker` processes, on\n"
            "PostgreSQL), in-process (a thread of `hotfix serve`), or auto: in-process on\n"
            "SQLite, workers on PostgreSQL."),
    Setting("jobs.deliver_every", 5.0,
            "Seconds between runs of notify.deliver (the outbox, status updates) per project."),
    Setting("jobs.schedule_every", 5.0,
            "Seconds between runs of the job that logs scheduled content publishes and expiries\n"
            "(the zone endpoint is exact at every instant whenever it runs; docs/content.md)."),
    Setting("jobs.heartbeat_seconds", 10.0,
            "How often a `hotfix worker` tells the database it is alive."),
    Setting("jobs.stalled_after", 30.0,
            "Seconds without a heartbeat after which a worker is dead: another worker runs\n"
            "its jobs again (the same run id, so a delivery it held is taken back at once)."),
)


# What ``hotfix init`` writes switched on for a new project, where a team's starting point is
# stricter than the built-in default (which keeps existing hotfix.toml files as they were):
# every code hotfix and roll-back closes only once it says why it broke, what was fixed,
# whom it hurt and what follows.
DOCUMENTED = ["root_cause", "what_was_fixed", "customer_impact", "follow_ups"]
STARTER: dict[str, object] = {
    "close.require": {"service": DOCUMENTED, "library": DOCUMENTED, "rollback": DOCUMENTED},
}
