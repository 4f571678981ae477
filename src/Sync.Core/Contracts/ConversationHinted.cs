using MessageSync.Core.Model;

namespace MessageSync.Core.Contracts;

/// <summary>
/// A verified webhook said a conversation changed (DESIGN.md, "Webhooks reach the owner"). Published to every running
/// process by the one that received the webhook when it does not own <see cref="System"/>; the owner's poller reads the
/// conversation next. A hint carries no content: lost or repeated, it can delay nothing and inject nothing.
/// </summary>
public sealed record ConversationHinted(SystemId System, string ConversationId, string ReceivedBy);
