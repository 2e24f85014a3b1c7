#!/usr/bin/perl
# fill.pl - fill a fresh Request Tracker 5 database for bench/rt/run, through
# RT's own Perl API (RT::User->Create, RT::Ticket->Create), so every row RT
# keeps beside a ticket (its transactions, role groups, attachments, the
# scrips' work) is made as RT makes it.
#
#   RT_SITE_CONFIG=... perl -I/usr/share/request-tracker5/lib fill.pl \
#       TICKETS CUSTOMERS FIRST STEP
#
# Makes (when FIRST is 1) the agent "bench" (SuperUser, like rapport's
# bench admin) with the password $RT_BENCH_PASSWORD, for a web session; then
# the requestors customer1..CUSTOMERS@example.com (FIRST=1 only) and the
# tickets FIRST, FIRST+STEP, ... up to TICKETS in the queue General, each
# with a body and one requestor (ticket i: customer (i mod CUSTOMERS)+1),
# a third of them new, a third open, a third resolved.  Several fills with
# the same STEP and different FIRST run side by side (after the first has
# made the users).
use strict;
use warnings;
use RT -init;
use MIME::Entity;

my ($tickets, $customers, $first, $step) = @ARGV;
$first ||= 1;
$step  ||= 1;
die "usage: fill.pl TICKETS CUSTOMERS [FIRST STEP]\n" unless $tickets && $customers;
$| = 1;

my $queue = RT::Queue->new(RT->SystemUser);
$queue->Load('General') or die "no queue General\n";

if ($first == 1) {
    my $agent = RT::User->new(RT->SystemUser);
    my ($id, $msg) = $agent->Create(
        Name => 'bench', EmailAddress => 'bench@rt.example',
        RealName => 'Bench', Privileged => 1,
        Password => $ENV{RT_BENCH_PASSWORD});
    die "agent: $msg\n" unless $id;
    my ($ok, $why) = $agent->PrincipalObj->GrantRight(
        Right => 'SuperUser', Object => RT->System);
    die "right: $why\n" unless $ok;
    for my $i (1 .. $customers) {
        my $u = RT::User->new(RT->SystemUser);
        my ($uid, $umsg) = $u->Create(
            Name => "customer$i\@example.com",
            EmailAddress => "customer$i\@example.com",
            RealName => "Customer $i", Privileged => 0);
        die "customer $i: $umsg\n" unless $uid;
    }
    print "customers: $customers\n";
}

my @status = qw(new open resolved);
my $made = 0;
for (my $i = $first; $i <= $tickets; $i += $step) {
    my $t = RT::Ticket->new(RT->SystemUser);
    my ($id, undef, $msg) = $t->Create(
        Queue     => $queue->Id,
        Subject   => "Question $i about an order",
        Requestor => ['customer' . ($i % $customers + 1) . '@example.com'],
        Status    => $status[$i % 3],
        MIMEObj   => MIME::Entity->build(
            Type => 'text/plain', Charset => 'UTF-8',
            Data => ["Where is my order $i? It was due last week.\n"]),
    );
    die "ticket $i: $msg\n" unless $id;
    $made++;
}
print "tickets: $made\n";
