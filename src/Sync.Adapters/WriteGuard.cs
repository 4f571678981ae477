using MessageSync.Core.Model;
using MessageSync.Core.Ports;

namespace MessageSync.Adapters;

/// <summary>
/// The visibility invariant and the delivery rule, checked again at the last moment before a write (DESIGN.md):
/// the router already decided, but an adapter refuses a customer-visible write of an internal note however it was asked.
/// Kept in the adapters on purpose: no configuration reaches this code.
/// </summary>
public static class WriteGuard
{
    /// <summary>
    /// Throws <see cref="VisibilityViolationException"/> when <paramref name="request"/> would show an internal note to a
    /// customer through <paramref name="customerVisible"/>, or would deliver a reply to the customer a second time.
    /// </summary>
    /// <param name="customerVisible">True when the target endpoint/type reaches the customer (Pylon reply, helpdesk request/response, customer-visible Cord thread).</param>
    /// <param name="sendsEmail">True when the write would e-mail the customer.</param>
    public static void EnsureAllowed(SystemId target, WriteRequest request, bool customerVisible, bool sendsEmail)
    {
        var internalSource = request.Message.Kind == MessageKind.InternalNote || request.TargetKind == MessageKind.InternalNote;
        if (internalSource && (customerVisible || sendsEmail))
        {
            throw new VisibilityViolationException(target,
                $"Refused: internal note {request.Message.Id} would become visible to the customer in {target} (link {request.Link.Id}).");
        }

        // A mirror never reaches the customer again (DESIGN.md "The delivery rule"): e-mail only for a message that was
        // never seen by the customer anywhere, which a mirrored message by definition was.
        if (sendsEmail)
        {
            throw new VisibilityViolationException(target,
                $"Refused: mirrored message {request.Message.Id} would e-mail the customer a second time from {target}.");
        }
    }
}
