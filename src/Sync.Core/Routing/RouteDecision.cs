using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.State;

namespace MessageSync.Core.Routing;

/// <summary>
/// What the router decided for one change and one target: an action to carry out, an explained skip (nothing to do, by
/// rule or by configured policy: logged, not recorded), or an outcome to record (visible in <c>status</c> until acknowledged).
/// Nothing is ever dropped silently: every non-action carries its reason.
/// </summary>
public abstract record RouteDecision
{
    private RouteDecision()
    {
    }

    /// <summary>Write a new copy as <see cref="TargetKind"/>.</summary>
    /// <remarks>
    /// Never e-mailed: every write is a mirror, and a mirror never reaches the customer again (DESIGN.md, "The delivery
    /// rule"). The helpdesk adapter sends <c>send_email: false</c>.
    /// </remarks>
    public sealed record Create(MessageKind TargetKind, string? Label) : RouteDecision;

    /// <summary>Replace the content of the existing copy.</summary>
    public sealed record Edit(MessageKind TargetKind, string? Label) : RouteDecision;

    /// <summary>Add an internal note carrying the new version (the target cannot edit; policy <see cref="EditPolicy.AppendNote"/>).</summary>
    public sealed record AppendNote(string Label) : RouteDecision
    {
        public MessageKind TargetKind => MessageKind.InternalNote;
    }

    /// <summary>Remove the content of the copy (Cord: the adapter replaces the content).</summary>
    public sealed record Redact : RouteDecision;

    public sealed record Delete(DeleteMode Mode) : RouteDecision;

    /// <summary>Nothing to do, by rule or policy (e.g. the target is the source, or no copy exists there).</summary>
    public sealed record Skip(string Reason) : RouteDecision;

    /// <summary>The change cannot be (fully) applied to this target: record it so an operator sees it.</summary>
    public sealed record Outcome(OutcomeKind Kind, string Reason) : RouteDecision;

    /// <summary>The write request for a Create, Edit or AppendNote; null for the others.</summary>
    public WriteRequest? ToWriteRequest(ConversationLink link, CanonicalMessage message, string? parentExternalId = null) => this switch
    {
        Create create => new WriteRequest { Link = link, Message = message, TargetKind = create.TargetKind, Label = create.Label, ParentExternalId = parentExternalId },
        Edit edit => new WriteRequest { Link = link, Message = message, TargetKind = edit.TargetKind, Label = edit.Label, ParentExternalId = parentExternalId },
        AppendNote note => new WriteRequest { Link = link, Message = message, TargetKind = note.TargetKind, Label = note.Label, ParentExternalId = parentExternalId },
        _ => null,
    };
}
