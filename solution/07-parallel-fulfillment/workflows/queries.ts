/**
 * The `status` query. Every workflow of the lesson answers it under the same name, so any of them,
 * parent or child, can be asked "where are you?" (`temporal workflow query --name status`).
 */
import { defineQuery } from '@temporalio/workflow';
import type { ChildStatus, OrderStatus } from '../shared';

export const orderStatusQuery = defineQuery<OrderStatus>('status');
export const childStatusQuery = defineQuery<ChildStatus>('status');
