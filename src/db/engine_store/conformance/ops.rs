//! The store operations a conformance case is made of, small domains on purpose
//! (a handful of addresses, ids and groups) so that writes collide, overwrite
//! and delete what earlier steps wrote.

use proptest::prelude::*;

/// Far enough ahead that every row written "now" is older.
pub(super) const FUTURE: i64 = 4_000_000_000;

/// A device list to write: user, devices (id, key index, hosted), timestamp, phash, raw id.
pub type DeviceListOp = (
    u8,
    Vec<(u32, Option<u32>, bool)>,
    i32,
    Option<u8>,
    Option<u32>,
);

#[derive(Debug, Clone)]
pub enum Op {
    PutIdentities(Vec<(u8, u8)>),
    LoadIdentity(u8),
    DeleteIdentity(u8),
    PutSessions(Vec<(u8, Vec<u8>)>),
    GetSession(u8),
    HasSession(u8),
    DeleteSession(u8),
    HasSignalState(u8),
    StorePrekeys(Vec<(u32, Vec<u8>)>, bool),
    LoadPrekeys(Vec<u32>),
    MarkUploaded(Vec<u32>),
    RemovePrekey(u32),
    MaxPrekey,
    StoreSigned(u32, Vec<u8>),
    LoadAllSigned,
    RemoveSigned(u32),
    PutSenderKeys(Vec<(u8, Vec<u8>)>),
    GetSenderKey(u8),
    DeleteSenderKey(u8),
    SetSyncKey(u8, u8),
    GetSyncKey(u8),
    LatestSyncKey,
    SetVersion(u8, u64, Vec<(u8, u8)>),
    GetVersion(u8),
    PutMacs(u8, u64, Vec<(u8, u8)>),
    GetMacs(u8, Vec<u8>),
    DeleteMacs(u8, Vec<u8>),
    ClearMacs(u8),
    SetSenderKeyStatus(u8, Vec<(u8, bool)>),
    SenderKeyDevices(u8),
    ClearSenderKeyDevices(u8),
    DeleteSenderKeyRows(Vec<u8>),
    ClearAllSenderKeyDevices,
    PutLids(Vec<(u8, u8, i64)>),
    GetLid(u8),
    GetPn(u8),
    AllLids,
    SaveBaseKey(u8, u8, Vec<u8>),
    SameBaseKey(u8, u8, Vec<u8>),
    DeleteBaseKey(u8, u8),
    UpdateDeviceLists(Vec<DeviceListOp>),
    GetDevices(u8),
    DeleteDevices(u8),
    PutGroupMetadata(u8, Vec<u8>),
    GetGroupMetadata(u8),
    DeleteGroupMetadata(u8),
    PutTcToken(u8, Vec<u8>, i64, Option<i64>),
    GetTcToken(u8),
    DeleteTcToken(u8),
    AllTcJids,
    ExpireTcTokens(i64, i64),
    TouchTcToken(u8, i64),
    ReceiveTcToken(u8, Vec<u8>, i64),
    StoreSent(u8, u8, Vec<u8>),
    TakeSent(u8, u8),
    ExpireSent(bool),
    StorePending(Vec<(u8, u8, u8, Vec<u8>)>),
    GetPending(u8, u8, u8),
    DeletePending(Vec<(u8, u8, u8)>),
    ExpirePending(bool),
    PutSecrets(Vec<(u8, u8, u8, u8, i64, i64)>),
    GetSecret(u8, u8, u8),
    ExpireSecrets(i64),
    SaveDevice(String, u32),
    LoadDevice,
    DeviceExists,
}

fn small() -> impl Strategy<Value = u8> {
    0u8..4
}

fn blob() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..6)
}

fn few<T: std::fmt::Debug>(item: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<T>> {
    prop::collection::vec(item, 0..5)
}

fn time() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0i64), 1i64..50, Just(FUTURE)]
}

pub fn op() -> impl Strategy<Value = Op> {
    let id = 0u32..6;
    prop_oneof![
        few((small(), any::<u8>())).prop_map(Op::PutIdentities),
        small().prop_map(Op::LoadIdentity),
        small().prop_map(Op::DeleteIdentity),
        few((small(), blob())).prop_map(Op::PutSessions),
        small().prop_map(Op::GetSession),
        small().prop_map(Op::HasSession),
        small().prop_map(Op::DeleteSession),
        small().prop_map(Op::HasSignalState),
        (few((id.clone(), blob())), any::<bool>()).prop_map(|(k, u)| Op::StorePrekeys(k, u)),
        few(id.clone()).prop_map(Op::LoadPrekeys),
        few(id.clone()).prop_map(Op::MarkUploaded),
        id.clone().prop_map(Op::RemovePrekey),
        Just(Op::MaxPrekey),
        (id.clone(), blob()).prop_map(|(i, r)| Op::StoreSigned(i, r)),
        Just(Op::LoadAllSigned),
        id.prop_map(Op::RemoveSigned),
        few((small(), blob())).prop_map(Op::PutSenderKeys),
        small().prop_map(Op::GetSenderKey),
        small().prop_map(Op::DeleteSenderKey),
        (small(), any::<u8>()).prop_map(|(k, s)| Op::SetSyncKey(k, s)),
        small().prop_map(Op::GetSyncKey),
        Just(Op::LatestSyncKey),
        (small(), 0u64..9, few((small(), any::<u8>())))
            .prop_map(|(n, v, m)| Op::SetVersion(n, v, m)),
        small().prop_map(Op::GetVersion),
        (small(), 0u64..9, few((small(), any::<u8>()))).prop_map(|(n, v, m)| Op::PutMacs(n, v, m)),
        (small(), few(small())).prop_map(|(n, m)| Op::GetMacs(n, m)),
        (small(), few(small())).prop_map(|(n, m)| Op::DeleteMacs(n, m)),
        small().prop_map(Op::ClearMacs),
        (small(), few((small(), any::<bool>()))).prop_map(|(g, e)| Op::SetSenderKeyStatus(g, e)),
        small().prop_map(Op::SenderKeyDevices),
        small().prop_map(Op::ClearSenderKeyDevices),
        few(small()).prop_map(Op::DeleteSenderKeyRows),
        Just(Op::ClearAllSenderKeyDevices),
        few((small(), small(), 0i64..100)).prop_map(Op::PutLids),
        small().prop_map(Op::GetLid),
        small().prop_map(Op::GetPn),
        Just(Op::AllLids),
        (small(), small(), blob()).prop_map(|(a, m, k)| Op::SaveBaseKey(a, m, k)),
        (small(), small(), blob()).prop_map(|(a, m, k)| Op::SameBaseKey(a, m, k)),
        (small(), small()).prop_map(|(a, m)| Op::DeleteBaseKey(a, m)),
        few((
            small(),
            few((0u32..4, prop::option::of(0u32..9), any::<bool>())),
            0i32..1_000_000,
            prop::option::of(small()),
            prop::option::of(any::<u32>())
        ))
        .prop_map(Op::UpdateDeviceLists),
        small().prop_map(Op::GetDevices),
        small().prop_map(Op::DeleteDevices),
        (small(), blob()).prop_map(|(g, b)| Op::PutGroupMetadata(g, b)),
        small().prop_map(Op::GetGroupMetadata),
        small().prop_map(Op::DeleteGroupMetadata),
        (small(), blob(), time(), prop::option::of(time()))
            .prop_map(|(j, t, ts, s)| Op::PutTcToken(j, t, ts, s)),
        small().prop_map(Op::GetTcToken),
        small().prop_map(Op::DeleteTcToken),
        Just(Op::AllTcJids),
        (time(), time()).prop_map(|(t, s)| Op::ExpireTcTokens(t, s)),
        (small(), time()).prop_map(|(j, t)| Op::TouchTcToken(j, t)),
        (small(), blob(), time()).prop_map(|(j, t, ts)| Op::ReceiveTcToken(j, t, ts)),
        (small(), small(), blob()).prop_map(|(c, m, p)| Op::StoreSent(c, m, p)),
        (small(), small()).prop_map(|(c, m)| Op::TakeSent(c, m)),
        any::<bool>().prop_map(Op::ExpireSent),
        few((small(), small(), small(), blob())).prop_map(Op::StorePending),
        (small(), small(), small()).prop_map(|(c, s, i)| Op::GetPending(c, s, i)),
        few((small(), small(), small())).prop_map(Op::DeletePending),
        any::<bool>().prop_map(Op::ExpirePending),
        few((small(), small(), small(), any::<u8>(), time(), time())).prop_map(Op::PutSecrets),
        (small(), small(), small()).prop_map(|(c, s, i)| Op::GetSecret(c, s, i)),
        time().prop_map(Op::ExpireSecrets),
        ("[a-z]{0,6}", any::<u32>()).prop_map(|(n, c)| Op::SaveDevice(n, c)),
        Just(Op::LoadDevice),
        Just(Op::DeviceExists),
    ]
}

/// Every read over the small domains: what a store holds, asked every way.
pub fn every_read() -> Vec<Op> {
    let mut reads = vec![
        Op::MaxPrekey,
        Op::LoadAllSigned,
        Op::LoadPrekeys((0..6).collect()),
        Op::LatestSyncKey,
        Op::AllLids,
        Op::AllTcJids,
        Op::LoadDevice,
        Op::DeviceExists,
    ];
    for n in 0..4u8 {
        reads.extend([
            Op::LoadIdentity(n),
            Op::GetSession(n),
            Op::HasSignalState(n),
            Op::GetSenderKey(n),
            Op::GetSyncKey(n),
            Op::GetVersion(n),
            Op::GetMacs(n, (0..4).collect()),
            Op::SenderKeyDevices(n),
            Op::GetLid(n),
            Op::GetPn(n),
            Op::GetDevices(n),
            Op::GetGroupMetadata(n),
            Op::GetTcToken(n),
        ]);
        for m in 0..4u8 {
            for i in 0..4u8 {
                reads.push(Op::GetPending(n, m, i));
                reads.push(Op::GetSecret(n, m, i));
            }
            reads.push(Op::SameBaseKey(n, m, Vec::new()));
            // A take empties both stores alike, so it reads as well as any read.
            reads.push(Op::TakeSent(n, m));
        }
    }
    reads
}
