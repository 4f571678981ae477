using MessageSync.Core.Model;

namespace MessageSync.Core.Tests.Routing;

/// <summary>Capabilities as the three adapters declare them (api-docs/README.md), for the example-based tests.</summary>
internal static class RoutingSamples
{
    public static SystemCapabilities Pylon { get; } = new()
    {
        CreatableKinds = new HashSet<MessageKind> { MessageKind.CustomerMessage, MessageKind.AgentReply, MessageKind.InternalNote },
        CanRedact = true,
        CanDelete = true,
        CanPostAsAuthor = true,
    };

    public static SystemCapabilities Helpdesk { get; } = new()
    {
        CreatableKinds = new HashSet<MessageKind> { MessageKind.CustomerMessage, MessageKind.AgentReply, MessageKind.InternalNote },
    };

    public static SystemCapabilities Cord { get; } = new()
    {
        CreatableKinds = Enum.GetValues<MessageKind>().ToHashSet(),
        CanEdit = true,
        CanRedact = true,
        CanDelete = true,
        CanSoftDelete = true,
    };

    public static SystemCapabilities For(SystemId system) => system switch
    {
        SystemId.Pylon => Pylon,
        SystemId.Helpdesk => Helpdesk,
        _ => Cord,
    };

    public static CanonicalMessage Message(MessageKind kind, SystemId origin = SystemId.Helpdesk) => new()
    {
        Id = Guid.CreateVersion7(),
        LinkId = "link-1",
        Origin = new MessageOrigin(origin, "x_1"),
        Author = new Author("Agent Smith"),
        Kind = kind,
        BodyHtml = "<p>Hi</p>",
        BodyText = "Hi",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };
}
