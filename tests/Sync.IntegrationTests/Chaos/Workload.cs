using System.Diagnostics;
using MessageSync.Core.Model;
using MessageSync.Simulators;

namespace MessageSync.IntegrationTests.Chaos;

/// <summary>How much a <see cref="Workload"/> writes, and how much of it people change afterwards.</summary>
public sealed record WorkloadOptions
{
    /// <summary>Messages written in all, spread evenly over the links and the three systems (the openings included).</summary>
    public int Messages { get; init; } = 1000;

    /// <summary>Time over which the messages are written.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>Share of messages edited in Cord (once each; a second edit waits until the first has been noted everywhere).</summary>
    public double EditShare { get; init; } = 0.08;

    public double RedactShare { get; init; } = 0.05;

    public double DeleteShare { get; init; } = 0.05;

    public double AttachmentShare { get; init; } = 0.15;

    /// <summary>Share of redactions and deletions that go for an edited message when there is one (its edit notes are copies too).</summary>
    public double RemoveEditedShare { get; init; } = 0.5;

    /// <summary>Share of edits, redactions and deletions made on a copy the worker wrote rather than on the original.</summary>
    public double OnMirrorShare { get; init; } = 0.3;

    /// <summary>
    /// A person acts on a copy the worker wrote only once it has been on screen this long (a person's reaction time). The
    /// worker reads its own copies back within a poll or two, unless it is down just then.
    /// </summary>
    public TimeSpan ReactionTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>After the messages are written, how long to keep trying the edits, redactions and deletions still planned.</summary>
    public TimeSpan ActionTail { get; init; } = TimeSpan.FromSeconds(40);
}

/// <summary>
/// People at work in the three systems: customers, agents and colleagues writing every kind of message (attachments
/// included) through the simulators' back door, then editing (Cord), redacting (Pylon redact, Cord content replaced) and
/// deleting (Pylon delete, Cord soft and hard delete) through the public APIs, on originals and on the worker's copies.
/// Every version of every text carries its own token (<see cref="Ledger.Token"/>); the <see cref="Ledger"/> records it all.
/// An edit is made only once the message has reached every system and its previous edit has been noted everywhere, so
/// each edit is a change of its own the worker can see (two edits between two polls would be one change).
/// </summary>
public sealed class Workload : IDisposable
{
    private static readonly string[] Words = ["invoice", "refund", "login", "shipping", "upgrade", "export", "password", "latency", "billing", "webhook"];

    private readonly SimulatorHost _sims;
    private readonly Ledger _ledger;
    private readonly WorkloadOptions _options;
    private readonly Random _random;
    private readonly Func<CancellationToken, Task<SimState>> _readState;
    private readonly PersonClient _person;
    private readonly Dictionary<(SystemId, string), DateTime> _firstSeen = [];
    private SimState? _state;
    private DateTime _stateAt;

    public Workload(SimulatorHost sims, Ledger ledger, WorkloadOptions options, int seed)
    {
        _sims = sims;
        _ledger = ledger;
        _options = options;
        _random = new Random(seed);
        _readState = ct => SimState.ReadAsync(sims.PylonUrl, sims.HelpdeskUrl, sims.CordUrl, ct);
        _person = new PersonClient(sims);
    }

    /// <summary>
    /// Whether the worker's state knows a copy it wrote (a mapping, or a poll that read it with its marker). A person acts on
    /// a copy of the worker's only once it does: a copy deleted in the seconds between its write and its record (a kill in
    /// between, the worker restarting) leaves no trace in Pylon, so nothing can tell recovery it was there, and it is
    /// written again (docs/RELIABILITY.md, "What remains"). Null: no such check (the reaction time alone).
    /// </summary>
    public Func<string, SystemId, string, CancellationToken, Task<bool>>? KnownToWorker { get; set; }

    /// <summary>Write requests the people sent to the simulators (they count them beside the worker's).</summary>
    public long PersonWrites => _person.WritesSent;

    /// <summary>Edits, redactions and deletions that found no eligible message in time (reported, not hidden).</summary>
    public int ActionsNotMade { get; private set; }

    /// <summary>Writes the messages over <see cref="WorkloadOptions.Duration"/> with the planned actions in between, then the remaining actions.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var links = _ledger.Links;
        foreach (var link in links)
        {
            // A Pylon issue opens with the customer's message: a reply needs one to answer.
            Write(link, SystemId.Pylon, SimMessageKind.Customer);
        }

        var toWrite = _options.Messages - links.Count;
        var planned = new Queue<Removal?>(Plan());
        var actionEvery = planned.Count == 0 ? int.MaxValue : Math.Max(1, toWrite / planned.Count);
        for (var i = 0; i < toWrite; i++)
        {
            var link = links[_random.Next(links.Count)];
            var origin = Expectations.Systems[_random.Next(3)];
            var kind = _random.NextDouble() switch { < 0.4 => SimMessageKind.Customer, < 0.65 => SimMessageKind.Agent, _ => SimMessageKind.InternalNote };
            Write(link, origin, kind);
            if (i % actionEvery == actionEvery - 1 && planned.Count > 0)
            {
                if (await TryActAsync(planned.Peek(), cancellationToken))
                {
                    planned.Dequeue();
                }
                else
                {
                    // Nothing eligible yet (e.g. no edit whose copies have all arrived): retried later.
                    planned.Enqueue(planned.Dequeue());
                }
            }

            var due = _options.Duration * ((i + 1.0) / toWrite);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }
        }

        var tailEnd = clock.Elapsed + _options.ActionTail;
        while (planned.Count > 0 && clock.Elapsed < tailEnd)
        {
            if (await TryActAsync(planned.Peek(), cancellationToken))
            {
                planned.Dequeue();
            }
            else
            {
                planned.Enqueue(planned.Dequeue());
                await Task.Delay(200, cancellationToken);
            }
        }

        ActionsNotMade = planned.Count;
    }

    /// <summary>The actions in random order: null is an edit.</summary>
    private List<Removal?> Plan()
    {
        var actions = new List<Removal?>();
        actions.AddRange(Enumerable.Repeat<Removal?>(null, (int)(_options.Messages * _options.EditShare)));
        actions.AddRange(Enumerable.Repeat<Removal?>(Removal.Redacted, (int)(_options.Messages * _options.RedactShare)));
        actions.AddRange(Enumerable.Repeat<Removal?>(Removal.Deleted, (int)(_options.Messages * _options.DeleteShare)));
        return actions.OrderBy(_ => _random.Next()).ToList();
    }

    /// <summary>Writes one message as a person in <paramref name="origin"/> would, and records it.</summary>
    public LedgerMessage Write(ChaosLink link, SystemId origin, SimMessageKind kind)
    {
        var id = _ledger.NextMessageId(link);
        var token = Ledger.Token(id, 0);
        var attach = _random.NextDouble() < _options.AttachmentShare;
        var word = Words[_random.Next(Words.Length)];
        switch (origin)
        {
            case SystemId.Pylon:
            {
                var html = kind switch
                {
                    SimMessageKind.Customer => $"<p>Hello, a question about {word}: {token}</p><p>Thanks, <strong>{link.ContactName}</strong></p>",
                    SimMessageKind.Agent => $"<p>We looked at your {word} issue {token}.</p><ul><li>step one</li><li>step two</li></ul>",
                    _ => $"<p>Internal: {word} escalation {token}, see <a href=\"https://wiki.example.com/{word}\">the wiki</a></p>",
                };
                var files = attach ? new[] { $"https://files.example.com/{token}/{word}.pdf" } : null;
                var m = kind == SimMessageKind.Customer
                    ? _sims.Pylon.AddMessage(link.Issue, kind, html, fileUrls: files)
                    : _sims.Pylon.AddMessage(link.Issue, kind, html, $"Agent {link.Index:D2}", $"agent{link.Index:D2}@example.com", files);
                var mapped = kind switch { SimMessageKind.Customer => MessageKind.CustomerMessage, SimMessageKind.Agent => MessageKind.AgentReply, _ => MessageKind.InternalNote };
                return _ledger.Add(id, link, origin, m.Id, mapped, reachedCustomer: kind == SimMessageKind.Agent, attach);
            }

            case SystemId.Helpdesk:
            {
                var html = kind switch
                {
                    SimMessageKind.Customer => $"<p>Customer e-mail about {word} {token}</p>",
                    SimMessageKind.Agent => $"<p>Answer on {word}: {token}</p><p>Best regards</p>",
                    _ => $"<p>Note to the team: {word} {token}</p>",
                };
                // Agents on a link that delivers replies via Pylon answer with e-mail off (DESIGN.md, the delivery rule).
                var email = kind == SimMessageKind.Agent && !link.DeliverRepliesViaPylon;
                var files = attach ? new[] { new HelpdeskAttachment($"upl_{token}", $"{token}-{word}.pdf", 2048) } : null;
                var author = kind == SimMessageKind.Customer ? link.HelpdeskCustomer : $"agent_{link.Index:D2}";
                var m = _sims.Helpdesk.AddMessage(link.Ticket, kind, html, author, sendEmail: email, attachments: files);
                var mapped = kind switch { SimMessageKind.Customer => MessageKind.CustomerMessage, SimMessageKind.Agent => MessageKind.AgentReply, _ => MessageKind.InternalNote };
                return _ledger.Add(id, link, origin, m.Id, mapped, reachedCustomer: email, attach);
            }

            default:
            {
                // In an internal thread every message is an internal note; in a customer-visible one the author decides.
                var (author, mapped) = !link.CordCustomerVisible
                    ? (link.CordColleague, MessageKind.InternalNote)
                    : kind == SimMessageKind.Agent ? (link.CordAgent, MessageKind.AgentReply) : (link.CordCustomer, MessageKind.CustomerMessage);
                var files = attach ? new[] { _sims.Cord.UploadFile($"{token}-{word}.png", "image/png", 4096).Id } : null;
                var m = _sims.Cord.AddMessage(link.Thread, author, $"Cord {word} {token} from {author}", fileIds: files);
                return _ledger.Add(id, link, origin, m.Id, mapped, reachedCustomer: mapped == MessageKind.AgentReply, attach);
            }
        }
    }

    /// <summary>Makes one planned action on an eligible message (tried in random order); false when none is eligible now.</summary>
    private async Task<bool> TryActAsync(Removal? action, CancellationToken cancellationToken)
    {
        var state = await StateAsync(cancellationToken);
        var cutoff = DateTimeOffset.UtcNow.AddSeconds(-1);
        var preferEdited = action is not null && _random.NextDouble() < _options.RemoveEditedShare;
        var candidates = _ledger.Messages.Where(m => m.Removal == Removal.None && m.WrittenAt < cutoff)
            .OrderBy(_ => _random.Next()).OrderByDescending(m => preferEdited && m.Edits.Count > 0).ToList();
        var calls = 0;
        foreach (var message in candidates)
        {
            if (action is null && (message.Edits.Count >= 3 || !Settled(message, state)))
            {
                continue;
            }

            var system = action is null ? SystemId.Cord : _random.Next(2) == 0 ? SystemId.Pylon : SystemId.Cord;
            if (PickCopy(message, state, system) is not { } copy)
            {
                continue;
            }

            var onOriginal = copy.System == message.Origin && copy.ExternalId == message.OriginExternalId;
            if (!onOriginal && KnownToWorker is { } known && !await known(message.Link.Id, copy.System, copy.ExternalId, cancellationToken))
            {
                continue; // the worker has not recorded this copy yet: see KnownToWorker
            }

            var done = action is null
                ? await EditAsync(message, copy, cancellationToken)
                : await RemoveAsync(message, copy, action.Value, hardDelete: _random.Next(5) >= 3, cancellationToken);
            if (done)
            {
                _stateAt = DateTime.MinValue; // what we just did changes what is eligible
                return true;
            }

            if (++calls >= 5)
            {
                break; // copies went away meanwhile: try again with a fresh state
            }
        }

        return false;
    }

    /// <summary>A person rewords <paramref name="copy"/> (a Cord message: the original or the worker's copy); recorded when it took effect.</summary>
    public async Task<bool> EditAsync(LedgerMessage message, SimCopy copy, CancellationToken cancellationToken)
    {
        if (copy.System != SystemId.Cord)
        {
            throw new ArgumentException("only Cord can edit a message", nameof(copy));
        }

        var token = Ledger.NextEditToken(message);
        if (!await _person.CordEditAsync(copy.Conversation, copy.ExternalId, $"Edit {message.Edits.Count + 1}: {token} reworded by a person", cancellationToken))
        {
            return false;
        }

        var onMirror = !(message.Origin == SystemId.Cord && copy.ExternalId == message.OriginExternalId);
        Ledger.RecordEdit(message, new EditRecord(token, SystemId.Cord, copy.ExternalId, DateTimeOffset.UtcNow, onMirror ? SeenFor(copy) : null));
        return true;
    }

    /// <summary>
    /// A person redacts or deletes <paramref name="copy"/> (Pylon redact or delete; Cord content replaced, soft delete, or
    /// hard delete when <paramref name="hardDelete"/>); recorded when it took effect.
    /// </summary>
    public async Task<bool> RemoveAsync(LedgerMessage message, SimCopy copy, Removal removal, bool hardDelete, CancellationToken cancellationToken)
    {
        var redact = removal == Removal.Redacted;
        var (how, done) = (copy.System, redact, hardDelete) switch
        {
            (SystemId.Pylon, true, _) => ("Pylon redact", await _person.PylonRedactAsync(copy.Conversation, copy.ExternalId, cancellationToken)),
            (SystemId.Pylon, false, _) => ("Pylon delete", await _person.PylonDeleteAsync(copy.Conversation, copy.ExternalId, cancellationToken)),
            (SystemId.Cord, true, _) => ("Cord content replaced", await _person.CordRedactAsync(copy.Conversation, copy.ExternalId, cancellationToken)),
            (SystemId.Cord, false, false) => ("Cord soft delete", await _person.CordSoftDeleteAsync(copy.Conversation, copy.ExternalId, cancellationToken)),
            (SystemId.Cord, false, true) => ("Cord hard delete", await _person.CordHardDeleteAsync(copy.Conversation, copy.ExternalId, cancellationToken)),
            _ => throw new ArgumentException("the helpdesk can neither redact nor delete", nameof(copy)),
        };
        if (!done)
        {
            return false;
        }

        var on = copy.System == message.Origin && copy.ExternalId == message.OriginExternalId
            ? "the original"
            : $"the worker's copy ({SeenFor(copy).TotalSeconds:0.0} s after it appeared)";
        Ledger.RecordRemoval(message, removal, $"{how} on {on}, {copy.System} {copy.ExternalId}");
        return true;
    }

    /// <summary>
    /// The copy a person acts on in <paramref name="system"/>: the original when it was written there (mostly), or the
    /// worker's live copy there (never an edit note). Null when there is none yet.
    /// </summary>
    private SimCopy? PickCopy(LedgerMessage message, SimState state, SystemId system)
    {
        var conversation = Expectations.Conversation(message.Link, system);
        var copies = state.CopiesOf(message.Id).Where(c => c.System == system && c.Conversation == conversation && c.Live && !c.EditNote).ToList();
        var original = copies.FirstOrDefault(c => message.Origin == system && c.ExternalId == message.OriginExternalId);
        var mirror = copies.FirstOrDefault(c => c != original && SeenFor(c) >= _options.ReactionTime);
        if (original is not null && (mirror is null || _random.NextDouble() >= _options.OnMirrorShare))
        {
            return original;
        }

        return mirror;
    }

    /// <summary>How long the workload has seen <paramref name="copy"/> (zero when it never has).</summary>
    private TimeSpan SeenFor(SimCopy copy) =>
        _firstSeen.TryGetValue((copy.System, copy.ExternalId), out var at) ? DateTime.UtcNow - at : TimeSpan.Zero;

    /// <summary>Every copy routing requires is live, and every earlier edit has its note in every system that notes it.</summary>
    private static bool Settled(LedgerMessage message, SimState state)
    {
        var own = state.CopiesOf(message.Id).Where(c => c.Conversation == Expectations.Conversation(message.Link, c.System)).ToList();
        foreach (var system in Expectations.Systems)
        {
            if (Expectations.Copy(message, system).Presence == Presence.Required && !own.Any(c => c.System == system && c.Live && !c.EditNote))
            {
                return false;
            }
        }

        return message.Edits.All(e => Expectations.EditNoteTargets(message, e.On).All(t => own.Any(c => c.System == t && c.EditNote && c.Tokens.Contains(e.Token))));
    }

    private async Task<SimState> StateAsync(CancellationToken cancellationToken)
    {
        if (_state is null || DateTime.UtcNow - _stateAt > TimeSpan.FromSeconds(1))
        {
            _state = await _readState(cancellationToken);
            _stateAt = DateTime.UtcNow;
            foreach (var copy in _state.Copies)
            {
                _firstSeen.TryAdd((copy.System, copy.ExternalId), _stateAt);
            }
        }

        return _state;
    }

    public void Dispose() => _person.Dispose();
}
