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

        var error = Assert.Throws<VisibilityViolationException>(() => VisibilityGuard.EnsureAllowed(target, kind, targetKind, link, sendsEmail));

        Assert.Equal(target, error.System);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public void The_target_side_check_refuses_internal_notes_in_a_customer_visible_Cord_thread()
    {
        Assert.Throws<VisibilityViolationException>(() => VisibilityGuard.EnsureAllowed(SystemId.Cord, MessageKind.InternalNote, VisibleCord, sendsEmail: false));
        Assert.Throws<VisibilityViolationException>(() => VisibilityGuard.EnsureAllowed(SystemId.Helpdesk, MessageKind.AgentReply, Link, sendsEmail: true));
    }

    [Fact]
    public void Allowed_writes_pass()
    {
        VisibilityGuard.EnsureAllowed(SystemId.Pylon, MessageKind.InternalNote, MessageKind.InternalNote, Link, false);
        VisibilityGuard.EnsureAllowed(SystemId.Pylon, MessageKind.AgentReply, MessageKind.InternalNote, Link, false);
        VisibilityGuard.EnsureAllowed(SystemId.Pylon, MessageKind.AgentReply, MessageKind.AgentReply, PylonDelivery, false);
        VisibilityGuard.EnsureAllowed(SystemId.Pylon, MessageKind.CustomerMessage, MessageKind.CustomerMessage, Link, false);
        VisibilityGuard.EnsureAllowed(SystemId.Helpdesk, MessageKind.AgentReply, MessageKind.AgentReply, Link, false);
        VisibilityGuard.EnsureAllowed(SystemId.Cord, MessageKind.InternalNote, MessageKind.InternalNote, Link, false);
        VisibilityGuard.EnsureAllowed(SystemId.Cord, MessageKind.AgentReply, MessageKind.AgentReply, VisibleCord, false);
    }

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
