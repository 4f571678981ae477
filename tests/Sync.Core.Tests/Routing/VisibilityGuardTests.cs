using MessageSync.Core.Model;
using MessageSync.Core.Ports;
using MessageSync.Core.Routing;
using MessageSync.Core.Tests.State;

namespace MessageSync.Core.Tests.Routing;

public sealed class VisibilityGuardTests
{
    private static readonly ConversationLink Link = Samples.Link();
    private static readonly ConversationLink VisibleCord = Link with { CordThreadCustomerVisible = true };
    private static readonly ConversationLink PylonDelivery = Link with { DeliverRepliesVia = ReplyDelivery.Pylon };

    public static TheoryData<SystemId, MessageKind, MessageKind, bool, bool> Forbidden => new()
    {
        // An internal note written as anything a customer can see.
        { SystemId.Pylon, MessageKind.InternalNote, MessageKind.CustomerMessage, false, false },
        { SystemId.Pylon, MessageKind.InternalNote, MessageKind.AgentReply, false, true },
        { SystemId.Helpdesk, MessageKind.InternalNote, MessageKind.AgentReply, false, false },
        { SystemId.Helpdesk, MessageKind.InternalNote, MessageKind.CustomerMessage, false, false },
        { SystemId.Cord, MessageKind.InternalNote, MessageKind.InternalNote, true, false },
        { SystemId.Cord, MessageKind.InternalNote, MessageKind.CustomerMessage, false, false },

        // Anything e-mailed by a mirror.
        { SystemId.Helpdesk, MessageKind.AgentReply, MessageKind.AgentReply, false, false },

        // An agent reply as a Pylon reply without the link's opt-in.
        { SystemId.Pylon, MessageKind.AgentReply, MessageKind.AgentReply, false, false },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void Writes_that_could_reach_the_customer_wrongly_are_refused(SystemId target, MessageKind kind, MessageKind targetKind, bool visibleCord, bool pylonDelivery)
    {
        var link = Link with { CordThreadCustomerVisible = visibleCord, DeliverRepliesVia = pylonDelivery ? ReplyDelivery.Pylon : ReplyDelivery.Origin };
        var sendsEmail = target == SystemId.Helpdesk && kind == MessageKind.AgentReply;
        var request = Write(link, RoutingSamples.Message(kind), targetKind);

        var error = Assert.Throws<VisibilityViolationException>(() => VisibilityGuard.EnsureAllowed(target, request, sendsEmail));

        Assert.Equal(target, error.System);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public void Internal_notes_are_refused_in_a_customer_visible_Cord_thread_whatever_the_message()
    {
        Assert.NotNull(VisibilityGuard.Violation(SystemId.Cord, MessageKind.InternalNote, RoutingSamples.Message(MessageKind.CustomerMessage), VisibleCord, sendsEmail: false));
        Assert.NotNull(VisibilityGuard.Violation(SystemId.Cord, MessageKind.CustomerMessage, RoutingSamples.Message(MessageKind.InternalNote), Link, sendsEmail: false));
    }

    [Fact]
    public void Allowed_writes_pass()
    {
        void Allowed(SystemId target, MessageKind kind, MessageKind targetKind, ConversationLink link) =>
            VisibilityGuard.EnsureAllowed(target, Write(link, RoutingSamples.Message(kind), targetKind), sendsEmail: false);

        Allowed(SystemId.Pylon, MessageKind.InternalNote, MessageKind.InternalNote, Link);
        Allowed(SystemId.Pylon, MessageKind.AgentReply, MessageKind.InternalNote, Link);
        Allowed(SystemId.Pylon, MessageKind.AgentReply, MessageKind.AgentReply, PylonDelivery);
        Allowed(SystemId.Pylon, MessageKind.CustomerMessage, MessageKind.CustomerMessage, Link);
        Allowed(SystemId.Helpdesk, MessageKind.AgentReply, MessageKind.AgentReply, Link);
        Allowed(SystemId.Cord, MessageKind.InternalNote, MessageKind.InternalNote, Link);
        Allowed(SystemId.Cord, MessageKind.CustomerMessage, MessageKind.CustomerMessage, VisibleCord);
    }

    private static WriteRequest Write(ConversationLink link, CanonicalMessage message, MessageKind targetKind) =>
        new() { Link = link, Message = message, TargetKind = targetKind };

    [Theory]
    [InlineData(SystemId.Cord, MessageKind.InternalNote, false, false)]
    [InlineData(SystemId.Cord, MessageKind.InternalNote, true, true)]
    [InlineData(SystemId.Pylon, MessageKind.InternalNote, true, false)]
    [InlineData(SystemId.Pylon, MessageKind.CustomerMessage, false, true)]
    [InlineData(SystemId.Helpdesk, MessageKind.AgentReply, false, true)]
    [InlineData(SystemId.Helpdesk, MessageKind.InternalNote, true, false)]
    public void Customer_visibility_depends_on_system_kind_and_link(SystemId target, MessageKind kind, bool visibleCord, bool expected)
    {
        Assert.Equal(expected, VisibilityGuard.IsCustomerVisible(target, kind, Link with { CordThreadCustomerVisible = visibleCord }));
    }
}
