package idempotency

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDBClient is the part of *dynamodb.Client that [DynamoDBStore]
// uses, so that tests can pass another implementation.
type DynamoDBClient interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Table names the DynamoDB table of a [DynamoDBStore] and its attributes.
// Name is required; an empty attribute name means the default given
// beside it. The table has a partition key of type string named Key and no
// sort key; Expiry should be its TTL attribute.
type Table struct {
	Name string // the table's name or ARN

	Key         string // partition key, a string: "id"
	Status      string // "INPROGRESS" or "COMPLETED": "status"
	Expiry      string // when the item counts as absent, in Unix seconds (the TTL attribute): "expiration"
	LockExpiry  string // when an in-progress item stops holding its key, in Unix milliseconds: "in_progress_expiration"
	Fingerprint string // SHA-256 of the payload, hex: "fingerprint"
	Owner       string // token of the invocation that began the key: "owner"
}

// The values of the status attribute.
const (
	statusInProgress = "INPROGRESS"
	statusCompleted  = "COMPLETED"
)

// DynamoDBStore is a [Store] in a DynamoDB table, shared by every
// invocation and execution environment of a function (and by other
// functions, which [Options.Prefix] keeps apart). [NewDynamoDBStore]
// builds it.
//
// Each record costs two writes when it runs (Begin and Complete, or Begin
// and Release) and one when it is skipped (a Begin whose condition fails).
// Begin is one conditional PutItem:
//
//	attribute_not_exists(id) OR expiration <= :now
//	    OR (status = INPROGRESS AND in_progress_expiration <= :now_ms)
//
// so that of concurrent Begins of a key exactly one writes its item, and an
// item that expired, or an in-progress item whose lock ran out, counts as
// absent whether or not DynamoDB's TTL has deleted it yet (TTL deletes
// items some time after they expire, not at once). When the condition
// fails, the existing item comes back with the error
// (ReturnValuesOnConditionCheckFailure), so a duplicate costs one round
// trip; a server that does not return it is asked with a consistent
// GetItem. Complete is an UpdateItem and Release a DeleteItem, each on
// condition that the item's owner is the caller.
//
// The function's role needs dynamodb:PutItem, dynamodb:GetItem,
// dynamodb:UpdateItem and dynamodb:DeleteItem on the table.
type DynamoDBStore struct {
	client DynamoDBClient
	t      Table

	beginNames, completeNames, releaseNames map[string]string
}

// NewDynamoDBStore returns the store that keeps keys in the table t
// through client, usually a *dynamodb.Client from
// dynamodb.NewFromConfig. It panics if client is nil, if t has no Name, or
// if two of its attributes have the same name: mistakes of the program,
// caught when it starts.
func NewDynamoDBStore(client DynamoDBClient, t Table) *DynamoDBStore {
	if client == nil {
		panic("idempotency: NewDynamoDBStore: nil client")
	}
	if t.Name == "" {
		panic("idempotency: NewDynamoDBStore: the Table has no Name")
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&t.Key, "id")
	def(&t.Status, "status")
	def(&t.Expiry, "expiration")
	def(&t.LockExpiry, "in_progress_expiration")
	def(&t.Fingerprint, "fingerprint")
	def(&t.Owner, "owner")
	seen := map[string]bool{}
	for _, a := range []string{t.Key, t.Status, t.Expiry, t.LockExpiry, t.Fingerprint, t.Owner} {
		if seen[a] {
			panic(fmt.Sprintf("idempotency: NewDynamoDBStore: attribute name %q used twice", a))
		}
		seen[a] = true
	}
	// Every name goes through a placeholder: "status" is one of
	// DynamoDB's reserved words, and a table's own names may be too.
	// Each call lists only the names its expressions use, as DynamoDB
	// requires. The maps are only ever read.
	return &DynamoDBStore{
		client:        client,
		t:             t,
		beginNames:    map[string]string{"#k": t.Key, "#st": t.Status, "#exp": t.Expiry, "#lock": t.LockExpiry},
		completeNames: map[string]string{"#st": t.Status, "#exp": t.Expiry, "#lock": t.LockExpiry, "#own": t.Owner},
		releaseNames:  map[string]string{"#own": t.Owner},
	}
}

// beginCondition holds when the key has no live item.
const beginCondition = "attribute_not_exists(#k) OR #exp <= :now OR (#st = :inprogress AND #lock <= :nowms)"

// Begin implements [Store.Begin] with a conditional PutItem.
func (s *DynamoDBStore) Begin(ctx context.Context, key string, it Item, now time.Time) (Item, bool, error) {
	if it.Status != InProgress {
		return Item{}, false, fmt.Errorf("idempotency: Begin with an item %s, want %s", it.Status, InProgress)
	}
	item := map[string]types.AttributeValue{
		s.t.Key:        &types.AttributeValueMemberS{Value: key},
		s.t.Status:     &types.AttributeValueMemberS{Value: statusInProgress},
		s.t.Expiry:     number(ceilUnit(it.Expires, time.Second)),
		s.t.LockExpiry: number(ceilUnit(it.LockUntil, time.Millisecond)),
		s.t.Owner:      &types.AttributeValueMemberS{Value: it.Owner},
	}
	if it.Fingerprint != "" {
		item[s.t.Fingerprint] = &types.AttributeValueMemberS{Value: it.Fingerprint}
	}
	in := &dynamodb.PutItemInput{
		TableName:                &s.t.Name,
		Item:                     item,
		ConditionExpression:      aws.String(beginCondition),
		ExpressionAttributeNames: s.beginNames,
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now":        number(now.Unix()),
			":nowms":      number(now.UnixMilli()),
			":inprogress": &types.AttributeValueMemberS{Value: statusInProgress},
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	// A failed condition with no item returned, and no live item found
	// by GetItem, means the item changed in between (released, or
	// expired): try again, a few times.
	for attempt := 0; attempt < 3; attempt++ {
		_, err := s.client.PutItem(ctx, in)
		if err == nil {
			return it, true, nil
		}
		var ccf *types.ConditionalCheckFailedException
		if !errors.As(err, &ccf) {
			return Item{}, false, err
		}
		if ccf.Item != nil {
			old, err := s.decode(ccf.Item)
			return old, false, err
		}
		out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      &s.t.Name,
			Key:            map[string]types.AttributeValue{s.t.Key: &types.AttributeValueMemberS{Value: key}},
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return Item{}, false, err
		}
		if out.Item != nil {
			old, err := s.decode(out.Item)
			if err != nil || old.live(now) {
				return old, false, err
			}
		}
	}
	return Item{}, false, fmt.Errorf("idempotency: the item of %q kept changing while it was begun", key)
}

// Complete implements [Store.Complete] with a conditional UpdateItem.
func (s *DynamoDBStore) Complete(ctx context.Context, key string, it Item) error {
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.t.Name,
		Key:                      map[string]types.AttributeValue{s.t.Key: &types.AttributeValueMemberS{Value: key}},
		UpdateExpression:         aws.String("SET #st = :completed, #exp = :exp REMOVE #lock"),
		ConditionExpression:      aws.String("#own = :owner"),
		ExpressionAttributeNames: s.completeNames,
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":completed": &types.AttributeValueMemberS{Value: statusCompleted},
			":exp":       number(ceilUnit(it.Expires, time.Second)),
			":owner":     &types.AttributeValueMemberS{Value: it.Owner},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrNotOwner
	}
	return err
}

// Release implements [Store.Release] with a conditional DeleteItem.
func (s *DynamoDBStore) Release(ctx context.Context, key, owner string) error {
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 &s.t.Name,
		Key:                       map[string]types.AttributeValue{s.t.Key: &types.AttributeValueMemberS{Value: key}},
		ConditionExpression:       aws.String("#own = :owner"),
		ExpressionAttributeNames:  s.releaseNames,
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: owner}},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil // not ours, or gone: nothing to release
	}
	return err
}

// decode reads an item of the table.
func (s *DynamoDBStore) decode(m map[string]types.AttributeValue) (Item, error) {
	var it Item
	switch str(m[s.t.Status]) {
	case statusInProgress:
		it.Status = InProgress
	case statusCompleted:
		it.Status = Completed
	default:
		return Item{}, fmt.Errorf("idempotency: item of %q has no valid %s attribute", str(m[s.t.Key]), s.t.Status)
	}
	exp, err := num(m[s.t.Expiry])
	if err != nil {
		return Item{}, fmt.Errorf("idempotency: item of %q: %s: %w", str(m[s.t.Key]), s.t.Expiry, err)
	}
	it.Expires = time.Unix(exp, 0)
	if it.Status == InProgress {
		lock, err := num(m[s.t.LockExpiry])
		if err != nil {
			return Item{}, fmt.Errorf("idempotency: item of %q: %s: %w", str(m[s.t.Key]), s.t.LockExpiry, err)
		}
		it.LockUntil = time.UnixMilli(lock)
	}
	it.Fingerprint = str(m[s.t.Fingerprint])
	it.Owner = str(m[s.t.Owner])
	return it, nil
}

// number is the DynamoDB number n.
func number(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// ceilUnit returns t in whole units (a second or a millisecond) since the
// Unix epoch, rounded up, so that an expiry stored in those units is never
// earlier than t.
func ceilUnit(t time.Time, unit time.Duration) int64 {
	per := int64(time.Second / unit)
	sub := int64(t.Nanosecond())
	n := t.Unix()*per + sub/int64(unit)
	if sub%int64(unit) > 0 {
		n++
	}
	return n
}

// str returns the value of a string attribute, "" for anything else.
func str(av types.AttributeValue) string {
	if s, ok := av.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// num returns the value of a number attribute that holds an integer.
func num(av types.AttributeValue) (int64, error) {
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return 0, errors.New("missing or not a number")
	}
	if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("not a number: %q", n.Value)
	}
	return int64(math.Ceil(f)), nil
}
