import Foundation
import LeNetTestSupport
import Testing

/// The slots that bound the tests' chapter work: a free slot goes to a `first` waiter before
/// any `inOrder` one, whichever asked earlier, and never more slots than there are.
@Suite struct ChapterWorkSlotsTests {
  /// Takes a slot on a thread of its own and appends `name` to `order` once it has it.
  static func takeOnThread(
    _ slots: ChapterWorkSlots, _ turn: ChapterWorkTurn, _ name: String, into order: Order
  ) {
    Thread {
      slots.take(turn)
      order.append(name)
    }.start()
  }

  /// The names in the order their threads got a slot.
  final class Order: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    func append(_ name: String) { lock.withLock { names.append(name) } }
    var all: [String] { lock.withLock { names } }
  }

  /// Waits until `condition` holds, for at most 10 s.
  static func wait(until condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(10)
    while !condition() {
      try #require(Date() < deadline, "waited 10 s and the slots never got there")
      Thread.sleep(forTimeInterval: 0.005)
    }
  }

  @Test func aFreedSlotGoesToTheFirstWaiterBeforeEarlierInOrderOnes() throws {
    let slots = ChapterWorkSlots(count: 1)
    slots.take(.inOrder)
    let order = Order()
    Self.takeOnThread(slots, .inOrder, "short 1", into: order)
    Self.takeOnThread(slots, .inOrder, "short 2", into: order)
    try Self.wait { slots.waiting == 2 }
    Self.takeOnThread(slots, .first, "long", into: order)
    try Self.wait { slots.waiting == 3 }
    #expect(order.all.isEmpty)  // one slot, held here
    slots.give()
    try Self.wait { order.all.count == 1 }
    #expect(order.all == ["long"])
    slots.give()  // the long work's slot
    try Self.wait { order.all.count == 2 }
    slots.give()
    try Self.wait { order.all.count == 3 }
    #expect(Set(order.all.dropFirst()) == ["short 1", "short 2"])
  }

  @Test func noMoreWorksHoldASlotThanThereAreSlots() throws {
    let slots = ChapterWorkSlots(count: 2)
    let order = Order()
    for name in ["a", "b", "c"] { Self.takeOnThread(slots, .inOrder, name, into: order) }
    Self.takeOnThread(slots, .first, "d", into: order)
    try Self.wait { order.all.count == 2 && slots.waiting == 2 }
    Thread.sleep(forTimeInterval: 0.05)
    #expect(order.all.count == 2, "a third work took a slot: \(order.all)")
    slots.give()
    try Self.wait { order.all.count == 3 && slots.waiting == 1 }
    slots.give()
    try Self.wait { order.all.count == 4 && slots.waiting == 0 }
  }
}
