using System.ComponentModel.DataAnnotations;
using MessageSync.Adapters.People;
using MessageSync.Core.Engine;
using MessageSync.Core.Model;
using MessageSync.Core.Routing;

namespace MessageSync.Worker.Options;

public enum TransportKind
{
    /// <summary>One process, nothing to install (default).</summary>
    InMemory,

    /// <summary>Production: durable queues on a RabbitMQ broker.</summary>
    RabbitMQ,
}

public enum LogFormat
{
    /// <summary>Human-readable lines for a terminal (default).</summary>
    Text,

    /// <summary>One JSON object a line, for a container's log collector.</summary>
    Json,
}

/// <summary>The <c>Sync</c> section: everything the worker reads from configuration.</summary>
public sealed class SyncOptions
{
    public const string Section = "Sync";

    /// <summary>Message transport. Default <see cref="TransportKind.InMemory"/>.</summary>
    public TransportKind Transport { get; set; } = TransportKind.InMemory;

    public RabbitMqOptions RabbitMq { get; set; } = new();

    public LoggingOptions Logging { get; set; } = new();

    public HttpEndpointOptions Http { get; set; } = new();

    public PollingOptions Polling { get; set; } = new();

    /// <summary>Links from configuration; more can be added to the store with <c>links add</c>. Reloaded without a restart.</summary>
    public List<LinkOptions> Links { get; set; } = [];

    /// <summary>
    /// People across the systems (README, "People"): a mirror is posted as its real author where the API allows.
    /// Replaces <c>Sync:Pylon:UserIdsByEmail</c>, <c>ContactIdsByEmail</c> and <c>Sync:Cord:UserIdsByEmail</c>. Reloaded
    /// without a restart. Default none.
    /// </summary>
    public List<Person> People { get; set; } = [];

    /// <summary>Per-target policies for deletions and edits.</summary>
    public TargetPoliciesOptions Targets { get; set; } = new();

    /// <summary>OpenTelemetry export (traces and metrics over OTLP); off until <see cref="TelemetryOptions.OtlpEndpoint"/> is set.</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>How processes sharing one state hand work to each other (DESIGN.md, "Several processes").</summary>
    public OwnershipOptions Ownership { get; set; } = new();
}

public enum OtlpProtocol
{
    /// <summary>OTLP/HTTP with protobuf bodies, to ENDPOINT/v1/traces and ENDPOINT/v1/metrics (default; port 4318 on a collector).</summary>
    HttpProtobuf,

    /// <summary>OTLP/gRPC to ENDPOINT (port 4317 on a collector).</summary>
    Grpc,
}

public sealed class TelemetryOptions
{
    /// <summary>Base address of an OTLP receiver (an OpenTelemetry Collector, a vendor's endpoint). Default none: nothing is exported.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>HttpProtobuf (default) or Grpc.</summary>
    public OtlpProtocol OtlpProtocol { get; set; } = OtlpProtocol.HttpProtobuf;

    /// <summary>Headers sent with every export, <c>key=value,key2=value2</c> (a vendor's API key: a secret, give it through the environment).</summary>
    public string? OtlpHeaders { get; set; }

    /// <summary>How often metrics are exported (and the state gauges read). Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The <c>service.name</c> of every span and metric. Default "messagesync".</summary>
    [Required(AllowEmptyStrings = false)]
    public string ServiceName { get; set; } = "messagesync";

    /// <summary>Share of traces recorded, 0 to 1 (a trace continued from a sampled parent is always recorded). Default 1.</summary>
    [Range(0d, 1d)]
    public double TraceSampleRatio { get; set; } = 1;
}

public sealed class OwnershipOptions
{
    /// <summary>
    /// How long a lease lasts without renewal. Default 15 s: a killed owner is replaced within LeaseTtl + RenewInterval
    /// (20 s with the defaults; the design asks for 30 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an owner renews its leases and a standby tries to take free ones. Default 5 s; at most a third of <see cref="LeaseTtl"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class RabbitMqOptions
{
    /// <summary>Broker host. Default 127.0.0.1.</summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>AMQP port. Default 5672.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    /// <summary>Virtual host. Default "/".</summary>
    [Required]
    public string VirtualHost { get; set; } = "/";

    /// <summary>User name. Default "guest" (loopback only on a stock broker).</summary>
    [Required]
    public string Username { get; set; } = "guest";

    /// <summary>Password; set it through <c>Sync__RabbitMq__Password</c> or a file, never in appsettings in production.</summary>
    public string Password { get; set; } = "guest";
}

public sealed class LoggingOptions
{
    /// <summary>Text (default) or Json.</summary>
    public LogFormat Format { get; set; } = LogFormat.Text;

    /// <summary>Minimum level: Verbose, Debug, Information (default), Warning, Error, Fatal.</summary>
    [RegularExpression("^(Verbose|Debug|Information|Warning|Error|Fatal)$", ErrorMessage = "must be one of Verbose, Debug, Information, Warning, Error, Fatal")]
    public string MinimumLevel { get; set; } = "Information";

    /// <summary>Optional rolling log file path (e.g. logs/sync-.log). Default: console only.</summary>
    public string? File { get; set; }
}

public sealed class HttpEndpointOptions
{
    /// <summary>Serve /webhooks, /healthz, /readyz and /metrics. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Listen address. Default http://127.0.0.1:8080 (loopback only).</summary>
    [Required]
    public string Urls { get; set; } = "http://127.0.0.1:8080";
}

public sealed class PollingOptions
{
    /// <summary>How often a recently active conversation is polled. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ActiveInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often an idle conversation is polled. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan IdleInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A conversation with a change in this window counts as active. Default 10 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ActiveWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Full re-read of each conversation, to find deletions no cursor shows. Default 15 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Default 0.5: a full scan that no longer sees more than this share of a conversation's known messages deletes none of
    /// them and holds the deletions for an operator (a read gap looks the same); see <see cref="MassDeletionMinimum"/>.
    /// </summary>
    [Range(0.0, 1.0)]
    public double MassDeletionShare { get; set; } = 0.5;

    /// <summary>Default 3: fewer vanished messages than this are never held.</summary>
    [Range(1, 1_000_000)]
    public int MassDeletionMinimum { get; set; } = 3;

    public DeletionGuard ToDeletionGuard() => new() { MassShare = MassDeletionShare, MassMinimum = MassDeletionMinimum };

    /// <summary>Outbox relay idle poll. Default 1 s (it is also woken after every commit).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RelayInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class LinkOptions
{
    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$", ErrorMessage = "must be 1-100 letters, digits, '_', '.' or '-'")]
    public string Id { get; set; } = "";

    public string? PylonIssueId { get; set; }

    public string? HelpdeskTicketId { get; set; }

    public string? CordThreadId { get; set; }

    /// <summary>The Cord thread is shown to the customer: internal notes are never written there.</summary>
    public bool CordThreadCustomerVisible { get; set; }

    public List<string> CordAgentUserIds { get; set; } = [];

    /// <summary>Origin (default) or Pylon: see "The delivery rule" in docs/ARCHITECTURE.md.</summary>
    public ReplyDelivery DeliverRepliesVia { get; set; } = ReplyDelivery.Origin;

    public ConversationLink ToLink() => new()
    {
        Id = Id,
        PylonIssueId = Blank(PylonIssueId),
        HelpdeskTicketId = Blank(HelpdeskTicketId),
        CordThreadId = Blank(CordThreadId),
        CordThreadCustomerVisible = CordThreadCustomerVisible,
        CordAgentUserIds = CordAgentUserIds,
        DeliverRepliesVia = DeliverRepliesVia,
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public sealed class TargetPoliciesOptions
{
    public TargetPolicyOptions Pylon { get; set; } = new();
    public TargetPolicyOptions Helpdesk { get; set; } = new();
    public TargetPolicyOptions Cord { get; set; } = new();

    public TargetPolicyOptions For(SystemId system) => system switch
    {
        SystemId.Pylon => Pylon,
        SystemId.Helpdesk => Helpdesk,
        _ => Cord,
    };
}

public sealed class TargetPolicyOptions
{
    /// <summary>What a deletion elsewhere does to this target's copy: Delete (default), Redact or Ignore.</summary>
    public DeletionPolicy Deletion { get; set; } = DeletionPolicy.Delete;

    /// <summary>What an edit elsewhere does where this target cannot edit: AppendNote (default) or Ignore.</summary>
    public EditPolicy Edits { get; set; } = EditPolicy.AppendNote;

    /// <summary>Delete softly where the target can (Cord), so an operator can undo it. Default true.</summary>
    public bool PreferSoftDelete { get; set; } = true;

    public TargetPolicy ToPolicy() => new() { Deletion = Deletion, Edits = Edits, PreferSoftDelete = PreferSoftDelete };
}
