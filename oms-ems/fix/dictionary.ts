/**
 * A compact FIX 4.4 data dictionary: enough of the specification for the session-level validations FIX prescribes
 * (undefined tag, tag not defined for the message type, required tag missing, data format, enumerated values,
 * repeating-group counts) on the messages this engine speaks.
 *
 * - Every tag FIX 4.4 defines is known, with its data type (STRING when not listed below).
 * - Message types this venue uses or echoes carry their full field lists, required fields and repeating groups
 *   (components expanded). Other valid FIX 4.4 message types are accepted with type and enum checks only: the
 *   application answers them with a BusinessMessageReject anyway.
 * - Enumerations are listed for the order-flow and session fields; other fields are checked by type only.
 */

export type FieldType = 'string' | 'int' | 'float' | 'char' | 'boolean' | 'utctimestamp' | 'utcdate' | 'utctime' | 'data';

export interface GroupSpec {
  /** The first field of every instance. */
  readonly delimiter: number;
  readonly fields: ReadonlySet<number>;
  readonly required: readonly number[];
  readonly groups: ReadonlyMap<number, GroupSpec>;
}

export interface MessageSpec {
  readonly name: string;
  readonly fields: ReadonlySet<number>;
  /** Ascending, the order in which a missing one is reported. */
  readonly required: readonly number[];
  readonly groups: ReadonlyMap<number, GroupSpec>;
}

/** Tag ranges of every field FIX 4.4 defines. */
const DEFINED = '1-19,21-23,25-45,48-50,52-75,77-85,87-91,93-100,102-104,106-108,110-124,126-165,167-172,188-203,206-218,'
  + '220-260,262-313,315-318,320-369,371-438,441-448,451-464,466-652,654-684,686-808,810-830,832-956';

const TYPES: Record<Exclude<FieldType, 'string'>, string> = {
  int: '7,9,16,33-34,36,45,67-68,73-74,78,82-83,85,87-88,90,93,95,98,102-103,108,124,136,146,157,169,172,197,199,201,'
    + '203,209,212,215-216,226,232,244,251,264-265,267-268,287,290,295-298,300-301,303-304,315,321,323,326,334,'
    + '338-340,346,348,350,352,354,356,358,360,362,364,368-369,371,373,378,380,382-384,386,393-395,398-399,401,409,'
    + '414-417,420,422-423,427-431,441,445,452-454,457,460,462,473,477,487,492,495,507,510,518-519,522,533-534,'
    + '537-539,549-550,552,555,557-560,563,565,567,569,576-577,580-582,585,604,607,618,621,626-627,630,638,658,'
    + '660-661,663,665-666,668,670,680,683,686,690,692,694,698,702,706,709,711-712,718,722-725,727-729,731,733,735,'
    + '748-753,756,759,768,770,773-776,778,780-781,784,786,788-789,792,794,796,798,801-808,812-816,819,826-829,832,'
    + '835-838,840-844,846-847,851,853-857,862,864-865,870-871,875,887,891-892,895-897,903,905-906,910-911,919,924,'
    + '926,928,935-940,944-946,948,951-952,954',
  float: '6,12,14,31-32,38,44,53,80,84,99,110-111,118-119,132-135,137,140,151-155,158-159,188-192,194-195,202,210-211,'
    + '218,223,227-228,231,236-238,245-246,252-253,260,270-271,293-294,316,330-333,366,381,387,389,396-397,402-408,'
    + '410,412-413,424-426,435-437,451,469,485,512,516,520,540,561-562,566,612,614-615,623,631-634,637,639-643,'
    + '645-648,651-652,656-657,662,669,673,679,681,684,687,697,704-705,708,730,732,734,737-738,741-742,745-746,'
    + '765-766,799-800,810-811,834,839,845,849-850,858,860-861,863,867,869,879,882-886,890,898-901,920-922',
  char: '4,13,21,25,28-29,39-40,54,59,61,63,71,77,81,94,104,127,139,150,156,160,163,165,206,263,269,274,279,281,285,317,'
    + '327,374,385,388,418-419,433-434,442,447,468,480-481,484,497,506,514,517,525,528,530-532,544,564,573,587,'
    + '589-591,613,624,695,744,747,758,783,787,950',
  boolean: '43,97,113-114,121,123,130,141,208,258,266,325,328-329,377,411,464,547,570,575,636,650,700,719-720,754,797,852,'
    + '893,912',
  utctimestamp: '42,52,60,62,122,126,168,341-345,367,438,443,483,515,586,629,769,779',
  utcdate: '272',
  utctime: '273',
  data: '89,91,96,213,349,351,353,355,357,359,361,363,365,446,619,622',
};

const ENUMS: Record<number, string> = {
  21: '1 2 3', // HandlInst
  22: '1 2 3 4 5 6 7 8 9 A B C D E F G H I J', // SecurityIDSource
  39: '0 1 2 3 4 6 7 8 9 A B C D E', // OrdStatus
  40: '1 2 3 4 6 7 8 9 D E G I J K L M P', // OrdType
  54: '1 2 3 4 5 6 7 8 9 A B C D E F G', // Side
  59: '0 1 2 3 4 5 6 7', // TimeInForce
  77: 'O C R F', // PositionEffect
  98: '0 1 2 3 4 5 6', // EncryptMethod
  102: '0 1 2 3 4 5 6 99', // CxlRejReason
  103: '0 1 2 3 4 5 6 7 8 9 10 11 13 14 15 99', // OrdRejReason
  150: '0 3 4 5 6 7 8 9 A B C D E F G H I', // ExecType
  167: 'FUT OPT EUSUPRA FAC FADN PEF SUPRA CORP CPP CB DUAL EUCORP XLINKD STRUCT YANK FOR CS PS BRADY EUSOV TBOND TINT '
    + 'TIPS TCAL TPRN UST USTB TNOTE TBILL REPO FORWARD BUYSELL SECLOAN SECPLEDGE TERM RVLV RVLVTRM BRIDGE LOFC SWING '
    + 'DINP DEFLTED WITHDRN REPLACD MATURED AMENDED RETIRED BA BN BOX CD CL CP DN EUCD EUCP LQN MTN ONITE PN PZFJ STN TD '
    + 'XCN YCD ABS CMBS CMO IET MBS MIO MPO MPP MPT PFAND TBA AN COFO COFP GO MT RAN REV SPCLA SPCLO SPCLT TAN TAXA TECP '
    + 'TRAN VRDN WAR MF MLEG NONE', // SecurityType
  263: '0 1 2', // SubscriptionRequestType
  265: '0 1', // MDUpdateType
  269: '0 1 2 3 4 5 6 7 8 9 A B C', // MDEntryType
  281: '0 1 2 3 4 5 6 7 8 9 A B C', // MDReqRejReason
  323: '1 2 5 6', // SecurityResponseType
  347: 'ISO-2022-JP EUC-JP Shift_JIS UTF-8', // MessageEncoding
  373: '0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 99', // SessionRejectReason
  380: '0 1 2 3 4 5 6 7', // BusinessRejectReason
  434: '1 2', // CxlRejResponseTo
  528: 'A G I P R W', // OrderCapacity
};

const MSG_TYPES = '0 1 2 3 4 5 6 7 8 9 A B C D E F G H J K L M N P Q R S T V W X Y Z a b c d e f g h i j k l m n o p q r s '
  + 't u v w x y z AA AB AC AD AE AF AG AH AI AJ AK AL AM AN AO AP AQ AR AS AT AU AV AW AX AY AZ BA BB BC BD BE BF BG BH';

const HEADER = [8, 9, 35, 49, 56, 115, 128, 90, 91, 34, 50, 142, 57, 143, 116, 144, 129, 145, 43, 97, 52, 122, 212, 213,
  347, 369, 627];
const HEADER_REQUIRED = [8, 9, 34, 35, 49, 52, 56];
const TRAILER = [93, 89, 10];

function tagRanges(spec: string): number[] {
  const tags: number[] = [];
  for (const part of spec.split(',')) {
    const [from, to = from] = part.split('-').map(Number);
    for (let t = from; t <= to; t++) tags.push(t);
  }
  return tags;
}

function group(fields: string, groups: Record<number, GroupSpec> = {}, required: number[] = []): GroupSpec {
  const list = fields.split(',').map(Number);
  return { delimiter: list[0], fields: new Set(list), required, groups: new Map(Object.entries(groups).map(([k, v]) => [Number(k), v])) };
}

function message(name: string, fields: string, required: number[], groups: Record<number, GroupSpec> = {}): MessageSpec {
  return { name, fields: new Set(tagRanges(fields)), required, groups: new Map(Object.entries(groups).map(([k, v]) => [Number(k), v])) };
}

const parties = group('448,447,452,802', { 802: group('523,803') });
const secAltIds = group('455,456');
const events = group('865,866,867,868');
const underlyings = group('311,312,309,305,457,462,463,310,763,313,542,315,241,242,243,244,245,246,256,595,592,593,594,'
  + '247,316,941,317,436,435,308,306,362,363,307,364,365,877,878,318,879,810,882,883,884,885,886,887',
{ 457: group('458,459'), 887: group('888,889') });
const stipulations = group('233,234');
const nestedParties = group('524,525,538,804', { 804: group('545,805') });
const instrumentLegFields = '600,601,602,603,604,607,608,609,764,610,611,248,249,250,251,252,253,257,599,596,597,598,254,'
  + '612,942,613,614,615,616,617,618,619,620,621,622,623,624,556,740,739,955,956';
const instrumentLegs = group(instrumentLegFields, { 604: group('605,606') });
const execLegs = group(`${instrumentLegFields},687,690,683,564,565,539,654,566,587,588,637`,
  { 604: group('605,606'), 683: group('688,689'), 539: nestedParties });
const tradingSessions = group('336,625');
const instrumentGroups = { 454: secAltIds, 864: events, 711: underlyings };

const MESSAGES: Record<string, MessageSpec> = {
  0: message('Heartbeat', '112', []),
  1: message('TestRequest', '112', [112]),
  2: message('ResendRequest', '7,16', [7, 16]),
  3: message('Reject', '45,58,354-355,371-373', [45]),
  4: message('SequenceReset', '36,123', [36]),
  5: message('Logout', '58,354-355', []),
  A: message('Logon', '95-96,98,108,141,383-384,464,553-554,789', [98, 108], { 384: group('372,385') }),
  8: message('ExecutionReport', '1,6,11-15,17-19,21-22,29-32,37-41,44,48,54-55,58-60,63-66,75,77,99,103,106-107,110-111,'
    + '113,118-120,126,136,150-152,155-159,167-168,192-195,198,200-202,206-207,210-211,218,220-232,235-240,255,258-260,336,'
    + '348-351,354-355,376-378,381-382,388-389,423-427,432,442,453-454,460-461,468-472,479-481,483-485,494,497,513,'
    + '515-516,518,526-529,541,543-544,548-549,551,555,581-584,589-591,625,635-636,638-639,641,651-652,660,662-663,667,'
    + '669,691,693,696-699,701,711,738,761-762,775,788,790,797,835-851,854,864,873-876,898,911-922,943,947',
  [6, 14, 17, 37, 39, 54, 150, 151], {
    ...instrumentGroups, 453: parties, 382: group('375,337,437,438,655'), 232: stipulations, 518: group('519,520,521'),
    555: execLegs, 136: group('137,138,139,891'),
  }),
  9: message('OrderCancelReject', '1,11,37,39,41,58,60,66,75,102,198,229,354-355,434,526,581,583,586,636,660',
    [11, 37, 39, 41, 434]),
  D: message('NewOrderSingle', '1,11-13,15,18,21-23,38,40,44,48,54-55,58-60,63-65,70,75,77-78,81,99-100,106-107,110-111,'
    + '114,117,120-121,126,140,152,167-168,192-193,200-203,206-207,210-211,218,220-229,231-232,235-236,239-240,255,'
    + '348-351,354-355,376-377,386,388-389,423,427,432,453-454,460-461,468-472,479-481,494,497,513,516,526,528-529,541,'
    + '543-544,581-583,589-591,635,640,660,662-663,667,691,696-699,701,711,761-762,775,788,835-838,840-844,846-849,854,'
    + '864,873-876,898,913-919,947',
  [11, 40, 54, 60], {
    ...instrumentGroups, 453: parties, 78: group('79,661,736,467,539,80', { 539: nestedParties }), 386: tradingSessions,
    232: stipulations,
  }),
  F: message('OrderCancelRequest', '1,11,22,37-38,41,48,54-55,58,60,65-66,106-107,152,167,200-202,206-207,223-228,231,'
    + '239-240,255,348-351,354-355,376,453-454,460-461,468-472,516,526,541,543,581,583,586,660,667,691,711,762,788,864,'
    + '873-876,898,913-919,947',
  [11, 41, 54, 60], { ...instrumentGroups, 453: parties }),
  V: message('MarketDataRequest', '146,262-267,286,386,546-547,812,815', [146, 262, 263, 264, 267], {
    267: group('269', {}, [269]),
    146: group('55,65,48,22,454,460,461,167,762,200,541,201,224,225,239,226,227,228,255,543,470,471,472,240,202,947,'
      + '206,231,223,207,106,348,349,107,350,351,691,667,875,876,864,873,874,711,555',
    { ...instrumentGroups, 555: instrumentLegs }),
    386: tradingSessions,
  }),
  W: message('MarketDataSnapshotFullRefresh', '22,48,55,65,106-107,167,200-202,206-207,223-228,231,239-240,255,262,268,'
    + '291-292,348-351,451,454,460-461,470-472,541,543,555,667,691,711,762,813-814,864,873-876,947',
  [268], {
    ...instrumentGroups, 555: instrumentLegs,
    268: group('269,270,15,271,272,273,274,275,336,625,276,277,282,283,284,286,59,432,126,110,18,287,37,299,288,289,346,'
      + '290,546,811,58,354,355', {}, [269]),
  }),
  Y: message('MarketDataRequestReject', '58,262,281,354-355,816', [262], { 816: group('817') }),
  d: message('SecurityDefinition', '15,22,48,55,58,65,106-107,167,200-202,206-207,223-228,231,239-240,255,320,322-323,'
    + '336,348-351,354-355,454,460-461,470-472,541,543,555,561-562,625,667-668,691,711,762,827,864,869-870,873-876,947',
  [320, 322, 323], { ...instrumentGroups, 870: group('871,872'), 555: instrumentLegs }),
  j: message('BusinessMessageReject', '45,58,354-355,372,379-380', [372, 380]),
};

const MAX_TAG = 1000;
const TYPE_CODES: FieldType[] = ['string', 'int', 'float', 'char', 'boolean', 'utctimestamp', 'utcdate', 'utctime', 'data'];
/** 0 = undefined in FIX 4.4, otherwise 1 + index into TYPE_CODES. */
const typeTable = new Uint8Array(MAX_TAG);
const headerTable = new Uint8Array(MAX_TAG);
const trailerTable = new Uint8Array(MAX_TAG);
for (const tag of tagRanges(DEFINED)) typeTable[tag] = 1;
for (const [type, spec] of Object.entries(TYPES)) for (const tag of tagRanges(spec)) typeTable[tag] = 1 + TYPE_CODES.indexOf(type as FieldType);
for (const tag of HEADER) headerTable[tag] = 1;
for (const tag of TRAILER) trailerTable[tag] = 1;
const enumTable = new Map(Object.entries(ENUMS).map(([tag, values]) => [Number(tag), new Set(values.split(' '))]));
const msgTypes = new Set(MSG_TYPES.split(' '));
const headerGroups: ReadonlyMap<number, GroupSpec> = new Map([[627, group('628,629,630')]]);

export const fix44 = {
  beginString: 'FIX.4.4',
  isDefined: (tag: number): boolean => tag > 0 && tag < MAX_TAG && typeTable[tag] !== 0,
  fieldType: (tag: number): FieldType => (tag > 0 && tag < MAX_TAG && typeTable[tag] > 1 ? TYPE_CODES[typeTable[tag] - 1] : 'string'),
  isDataField: (tag: number): boolean => tag > 0 && tag < MAX_TAG && typeTable[tag] === 9,
  isHeaderField: (tag: number): boolean => tag > 0 && tag < MAX_TAG && headerTable[tag] === 1,
  isTrailerField: (tag: number): boolean => tag > 0 && tag < MAX_TAG && trailerTable[tag] === 1,
  enumValues: (tag: number): ReadonlySet<string> | undefined => enumTable.get(tag),
  isMsgType: (msgType: string): boolean => msgTypes.has(msgType),
  /** undefined for a valid message type this dictionary does not model field by field. */
  message: (msgType: string): MessageSpec | undefined => MESSAGES[msgType],
  headerRequired: HEADER_REQUIRED as readonly number[],
  trailerRequired: [10] as readonly number[],
  headerGroups,
};

export type Dictionary = typeof fix44;

/** Session-level message types (QuickFIX's "admin" types). */
export function isAdminMsgType(msgType: string): boolean {
  return msgType.length === 1 && '0A12345'.includes(msgType);
}
