using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>What the verifier found wrong, by kind; each kind is a property the product promises.</summary>
public enum FindingKind
{
    /// <summary>A message copied more than once into one conversation, or an edit note written more than once.</summary>
    Duplicate,

    /// <summary>A copy or edit note routing says must exist (and be live) does not.</summary>
    Missing,

    /// <summary>An internal note's text where a customer can see it, or any text in another link's conversation.</summary>
    Leak,

    /// <summary>A reply that reached the customer more than once (Pylon reply, e-mail, customer-visible Cord thread).</summary>
    DoubleDelivery,

    /// <summary>A redacted message's text still readable in a copy that can be redacted (edit notes included).</summary>
    RedactionLeftover,

    /// <summary>A deleted message still live in a copy that can be deleted (edit notes included).</summary>
    DeletionLeftover,

    /// <summary>A copy the target cannot redact or delete, with no open outcome saying so (dropped silently).</summary>
    Unreported,

    /// <summary>An open faulted or parked outcome: a change the worker gave up on.</summary>
    Faulted,

    /// <summary>A change detected but not applied (or recorded) everywhere when the run ended.</summary>
    Stuck,

    /// <summary>The worker exited on its own (not killed, not stopped), or did not stop cleanly.</summary>
    WorkerCrash,
}

public sealed record Finding(FindingKind Kind, string Subject, string Detail)
{
    public override string ToString() => $"{Subject}: {Detail}";
}

/// <summary>The figures of one scenario run, for the report and docs/RELIABILITY.md.</summary>
public sealed class ChaosFigures
{
    public string Scenario { get; set; } = "";
    public int Seed { get; set; }
    public int Links { get; set; }
    public int Messages { get; set; }
    public Dictionary<string, int> MessagesByOrigin { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, int> MessagesByKind { get; } = new(StringComparer.Ordinal);
    public int Attachments { get; set; }
    public int Edits { get; set; }
    public int Redactions { get; set; }
    public int Deletions { get; set; }
    public int Kills { get; set; }
    public int Starts { get; set; }
    public double BrokerOutageSeconds { get; set; }
    public string Faults { get; set; } = "none";
    public long PylonRateLimited { get; set; }
    public int WorkerErrorLines { get; set; }
    public double WorkloadSeconds { get; set; }
    public double SettleSeconds { get; set; }
    public double WallSeconds { get; set; }
}

/// <summary>The verifier's verdict on one run: findings by kind, what was reported as expected, and the run's figures.</summary>
public sealed class VerificationReport
{
    public VerificationReport(IReadOnlyList<Finding> findings, int reportedUnpropagated, int reportedUnpropagatedCopies, int reportedUndeletable,
        IReadOnlyDictionary<string, int> openOutcomes)
    {
        Findings = findings;
        ReportedUnpropagatedRedactions = reportedUnpropagated;
        ReportedUnpropagatedCopies = reportedUnpropagatedCopies;
        ReportedUndeletableCopies = reportedUndeletable;
        OpenOutcomes = openOutcomes;
    }

    public IReadOnlyList<Finding> Findings { get; }

    /// <summary>Redacted messages whose helpdesk copies still show the text, each with its open unpropagated-redaction outcome (expected).</summary>
    public int ReportedUnpropagatedRedactions { get; }

    /// <summary>The helpdesk copies (originals, mirrors, edit notes) those messages still show.</summary>
    public int ReportedUnpropagatedCopies { get; }

    /// <summary>Helpdesk copies of deleted messages, each reported by an open outcome (expected: the helpdesk cannot delete).</summary>
    public int ReportedUndeletableCopies { get; }

    /// <summary>
    /// Deleted messages whose deletion the worker held for an operator (Sync:Polling:MassDeletionShare: more than that share
    /// of a conversation vanished in one scan, as a read gap would look), each with its open held_deletion outcome: reported,
    /// so their copies are no leftovers (issue 9.8 holds them on purpose).
    /// </summary>
    public int ReportedHeldDeletions { get; init; }

    /// <summary>Open outcomes at the end, by kind and the start of their reason.</summary>
    public IReadOnlyDictionary<string, int> OpenOutcomes { get; }

    public ChaosFigures Figures { get; set; } = new();

    public bool Clean => Findings.Count == 0;

    public int Count(FindingKind kind) => Findings.Count(f => f.Kind == kind);

    /// <summary>A readable report: one line of counts, the figures, then up to <paramref name="perKind"/> findings of each kind.</summary>
    public string ToText(int perKind = 12)
    {
        var f = Figures;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Chaos scenario '{f.Scenario}' (seed {f.Seed}): {(Clean ? "CLEAN" : "FAILED")}");
        text.AppendLine("  " + string.Join(" · ", Enum.GetValues<FindingKind>().Select(k => $"{Label(k)} {Count(k)}")));
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  {f.Messages} messages on {f.Links} links (by origin: {Join(f.MessagesByOrigin)}; by kind: {Join(f.MessagesByKind)}; {f.Attachments} with attachments), {f.Edits} edits, {f.Redactions} redactions, {f.Deletions} deletions");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  worker: {f.Starts} starts, {f.Kills} SIGKILLs, broker outage {f.BrokerOutageSeconds:0} s, API faults: {f.Faults}; Pylon 429s {f.PylonRateLimited}; worker error lines {f.WorkerErrorLines}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  expected and reported: {ReportedUnpropagatedRedactions} unpropagated redactions ({ReportedUnpropagatedCopies} helpdesk copies), {ReportedUndeletableCopies} helpdesk copies of deleted messages, {ReportedHeldDeletions} deletions held for an operator");
        text.AppendLine("  open outcomes: " + (OpenOutcomes.Count == 0 ? "none" : Join(OpenOutcomes)));
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  time: workload {f.WorkloadSeconds:0} s, settling {f.SettleSeconds:0} s, wall {f.WallSeconds:0} s");
        foreach (var group in Findings.GroupBy(x => x.Kind))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {Label(group.Key)} ({group.Count()}):");
            foreach (var finding in group.Take(perKind))
            {
                text.AppendLine("    " + finding);
            }

            if (group.Count() > perKind)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    ... and {group.Count() - perKind} more");
            }
        }

        return text.ToString();
    }

    public JsonObject ToJson()
    {
        var f = Figures;
        var counts = new JsonObject();
        foreach (var kind in Enum.GetValues<FindingKind>())
        {
            counts[Label(kind).Replace(' ', '_')] = Count(kind);
        }

        return new JsonObject
        {
            ["scenario"] = f.Scenario,
            ["seed"] = f.Seed,
            ["clean"] = Clean,
            ["findings"] = counts,
            ["links"] = f.Links,
            ["messages"] = f.Messages,
            ["messages_by_origin"] = Obj(f.MessagesByOrigin),
            ["messages_by_kind"] = Obj(f.MessagesByKind),
            ["attachments"] = f.Attachments,
            ["edits"] = f.Edits,
            ["redactions"] = f.Redactions,
            ["deletions"] = f.Deletions,
            ["kills"] = f.Kills,
            ["starts"] = f.Starts,
            ["broker_outage_s"] = f.BrokerOutageSeconds,
            ["faults"] = f.Faults,
            ["pylon_429"] = f.PylonRateLimited,
            ["reported_unpropagated_redactions"] = ReportedUnpropagatedRedactions,
            ["reported_unpropagated_copies"] = ReportedUnpropagatedCopies,
            ["reported_undeletable_copies"] = ReportedUndeletableCopies,
            ["reported_held_deletions"] = ReportedHeldDeletions,
            ["open_outcomes"] = Obj(OpenOutcomes),
            ["workload_s"] = Math.Round(f.WorkloadSeconds, 1),
            ["settle_s"] = Math.Round(f.SettleSeconds, 1),
            ["wall_s"] = Math.Round(f.WallSeconds, 1),
            ["detail"] = new JsonArray(Findings.Take(200).Select(x => (JsonNode)$"{Label(x.Kind)}: {x}").ToArray()),
        };
    }

    public static string Label(FindingKind kind) => kind switch
    {
        FindingKind.Duplicate => "duplicates",
        FindingKind.Missing => "missing",
        FindingKind.Leak => "leaks",
        FindingKind.DoubleDelivery => "double deliveries",
        FindingKind.RedactionLeftover => "redaction leftovers",
        FindingKind.DeletionLeftover => "deletion leftovers",
        FindingKind.Unreported => "unreported",
        FindingKind.Faulted => "faulted",
        FindingKind.Stuck => "stuck",
        FindingKind.WorkerCrash => "worker crashes",
        _ => kind.ToString(),
    };

    private static string Join(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"));

    private static JsonObject Obj(IReadOnlyDictionary<string, int> counts) => new(counts.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
}
