public import BoxOfficeAPI
import BoxOfficeProto
import Foundation

extension Boxoffice_Booking_V1_QueueTicket {
    /// The wire form of a ticket.
    public init(_ ticket: WaitingRoomTicket) {
        self.init()
        id = ticket.id
        eventID = ticket.eventID
        userID = ticket.userID
        enteredAt = Google_Protobuf_Timestamp(date: ticket.enteredAt)
        early = ticket.early
    }
}

extension Boxoffice_Booking_V1_QueueStatus {
    /// The wire form of a status; the admission token only while admitted.
    public init(_ status: WaitingRoomStatus) {
        self.init()
        ticketID = status.ticket.id
        eventID = status.ticket.eventID
        switch status.state {
        case .waiting: state = .waiting
        case .admitted: state = .admitted
        case .expired: state = .expired
        }
        position = Int64(status.position)
        queueLength = Int64(status.queueLength)
        estimatedWait = Google_Protobuf_Duration(status.estimatedWait)
        if let token = status.admissionToken {
            var wire = Boxoffice_Booking_V1_AdmissionToken()
            wire.token = token.token
            wire.expiresAt = Google_Protobuf_Timestamp(date: token.expiresAt)
            admissionToken = wire
        }
        updatedAt = Google_Protobuf_Timestamp(date: status.asOf)
    }
}
